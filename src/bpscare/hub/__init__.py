"""bpscare on a JupyterHub: provisional, learner-safe feedback as soon as a learner submits.

:mod:`bpscare.hub.inbound` reads and checks submissions in the nbgrader exchange's inbound
folder, :mod:`bpscare.hub.grader` grades them with the bpscare engine in a scratch course and
keeps only what a learner may see, and :mod:`bpscare.hub.service` is the JupyterHub service
(``bpscare hub-service``) that watches the exchange and shows each learner their own results.
See ``docs/jupyterhub.md``.
"""
