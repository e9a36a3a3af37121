# ---
# jupyter:
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# A bpscare practice app: score a PHQ-family screener and see its safety actions. The feedback is
# formative and comes from public checks only; the lessons in the learner edition explain the
# background.

# %%
from bpscare.api import build_screener_app

build_screener_app()
