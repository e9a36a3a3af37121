# ---
# jupyter:
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# A bpscare practice app: interview a synthetic person with questions from the bank. The feedback
# is formative and comes from public checks only; the lessons in the learner edition explain the
# background.

# %%
from bpscare.api import build_virtual_patient_app

build_virtual_patient_app()
