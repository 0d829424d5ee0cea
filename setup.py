"""Builds the digest's optional compiled loops; everything else is in pyproject.toml.

The extension is optional: where it cannot be compiled (no C compiler), the
install goes on and the pure Python originals run (backchannel/digest/compiled.py).
"""

from setuptools import Extension, setup

try:
    from Cython.Build import cythonize
except ImportError:  # a build without pyproject's build requirements: no extension
    extensions = []
else:
    extensions = cythonize(
        [
            Extension(
                "backchannel.digest._speedups",
                ["plugins/backchannel/digest/_speedups.pyx"],
                optional=True,
            )
        ],
        language_level=3,
        quiet=True,
    )

setup(ext_modules=extensions)
