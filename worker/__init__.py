"""RQ jobs that drain the submission queue into the CRM."""
