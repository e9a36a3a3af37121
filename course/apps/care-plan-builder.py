# ---
# jupyter:
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# A bpscare practice app: draft an integrated care plan and check its completeness. The feedback
# is formative and comes from public checks only; the lessons in the learner edition explain the
# background.

# %%
from bpscare.api import build_care_plan_app

build_care_plan_app()
