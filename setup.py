"""Package list for setuptools; everything else is in pyproject.toml.

The prompts live in the top-level ``prompts/`` folder (reviewed like code, versioned by file name) and
are installed as the ``pmdraft.prompts`` package, so the wheel carries them and editable installs map
them back to the folder. ``packages.find`` in pyproject.toml cannot map a subpackage to another folder.
"""

from setuptools import find_packages, setup

setup(
    packages=[*find_packages("src"), "pmdraft.prompts"],
    package_dir={"": "src", "pmdraft.prompts": "prompts"},
)
