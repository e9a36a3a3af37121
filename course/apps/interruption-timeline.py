# ---
# jupyter:
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# A bpscare practice app: see when the opening story is interrupted. The feedback is formative and
# comes from public checks only; the lessons in the learner edition explain the background.

# %%
from bpscare.api import build_interruption_app

build_interruption_app()
