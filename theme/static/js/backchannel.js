// Progressive enhancement for the comment form; written with the receiver.
