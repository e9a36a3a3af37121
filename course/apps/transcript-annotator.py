# ---
# jupyter:
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# A bpscare practice app: code the utterances of a teaching transcript. The feedback is formative
# and comes from public checks only; the lessons in the learner edition explain the background.

# %%
from bpscare.api import build_transcript_app

build_transcript_app()
