"""The sender as huey tasks: every minute, and at once after a commit that queued mail."""
from huey import crontab

from app.jobs.queue import huey, task_app
from app.notifications.sender import send_due


def _run() -> None:
    with task_app().app_context():
        send_due()


@huey.task()
def send_outbox() -> None:
    """Deliver what is due now (enqueued after a commit that queued mail)."""
    _run()


@huey.periodic_task(crontab(minute='*'))
def send_outbox_periodically() -> None:
    """Deliver what is due: retries whose time has come, and anything a wake-up missed."""
    _run()
