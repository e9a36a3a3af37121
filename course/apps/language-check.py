# ---
# jupyter:
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# A bpscare practice app: rewrite a chart note without stigmatizing language. The feedback is
# formative and comes from public checks only; the lessons in the learner edition explain the
# background.

# %%
from bpscare.api import build_language_app

build_language_app()
