# ---
# jupyter:
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# A bpscare practice app: risk and odds ratios of analgesia in a synthetic cohort. The feedback is
# formative and comes from public checks only; the lessons in the learner edition explain the
# background.

# %%
from bpscare.api import build_disparity_app

build_disparity_app()
