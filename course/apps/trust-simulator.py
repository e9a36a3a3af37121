# ---
# jupyter:
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# A bpscare practice app: how clinician acts change trust and distress. The feedback is formative
# and comes from public checks only; the lessons in the learner edition explain the background.

# %%
from bpscare.api import build_trust_app

build_trust_app()
