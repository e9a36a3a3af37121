# ---
# jupyter:
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# A bpscare practice app, the practice twin of assignment a06-trust-and-testimony (speaking up, a
# person's own account and explaining a functional diagnosis): the same item formats on a practice
# case, never the graded one, with immediate feedback scored exactly as the graded items are.
# Practice keys are public; nothing here is graded or saved.

# %%
from pathlib import Path

from bpscare.api import build_practice_app

build_practice_app(Path("practice") / "a06-trust-and-testimony.yaml")
