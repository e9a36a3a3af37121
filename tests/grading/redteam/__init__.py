"""Red-team corpus of hostile submissions for the autograding engine (see corpus.py)."""
