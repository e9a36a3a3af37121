# ---
# jupyter:
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# A bpscare practice app: sort a teaching case's findings into the 4P x biopsychosocial grid. The
# feedback is formative and comes from public checks only; the lessons in the learner edition
# explain the background.

# %%
from bpscare.api import build_formulation_app

build_formulation_app()
