"""The build: Pelican handlers baking comments into pages, feeds and the manifest; republishing."""
