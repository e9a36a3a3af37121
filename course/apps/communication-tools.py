# ---
# jupyter:
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# A bpscare practice app: question prompt list, preferences form and decision aid. The feedback is
# formative and comes from public checks only; the lessons in the learner edition explain the
# background.

# %%
from bpscare.api import build_communication_app

build_communication_app()
