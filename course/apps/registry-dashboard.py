# ---
# jupyter:
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# A bpscare practice app: review a synthetic collaborative-care caseload. The feedback is
# formative and comes from public checks only; the lessons in the learner edition explain the
# background.

# %%
from bpscare.api import build_registry_app

build_registry_app()
