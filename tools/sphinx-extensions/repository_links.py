"""A Sphinx extension: the pages' links to the repository, from _config.yml.

_config.yml names the repository once (repository: url and branch). Jupyter Book hands
both to the theme (html_theme_options repository_url and repository_branch), which makes
the launch buttons and the repository button from them. This extension makes, from the
same two values, what a page needs to name the repository itself:

- the link role {colab}`text <path>` (sphinx.ext.extlinks): the file at path, from the
  repository's root, opened in Colab;
- the MyST substitution {{ repository_url }}: the repository's address as text (to
  clone; the theme would shorten a link whose text is a GitHub address).

_config.yml loads it (sphinx: local_extensions); tests/test_site.py fails on an address
of the repository written out by hand in a page.
"""

from sphinx.application import Sphinx
from sphinx.config import Config


def repository(config: Config) -> tuple[str, str]:
    """(owner/name, branch) as _config.yml gives them to the theme."""
    options = config.html_theme_options
    url = options["repository_url"].rstrip("/")
    return url.removeprefix("https://github.com/"), options["repository_branch"]


def add_repository(app: Sphinx, config: Config) -> None:
    owner_and_name, branch = repository(config)
    colab = f"https://colab.research.google.com/github/{owner_and_name}/blob/{branch}/"
    config.extlinks = {**config.extlinks, "colab": (colab + "%s", None)}
    config.myst_substitutions = {
        **config.myst_substitutions,
        "repository_url": f"https://github.com/{owner_and_name}",
    }


def setup(app: Sphinx) -> dict:
    app.setup_extension("sphinx.ext.extlinks")
    app.connect("config-inited", add_repository)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
