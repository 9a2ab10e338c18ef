"""Signals other parts of the site listen to, defined in a leaf module (it imports nothing of
ours), so that the code sending them never imports the code that reacts.

`article_moved`: an article went through a workflow move and the move is committed. Sent with
`article` (as stored after the move), `verb` (a key of articles.workflow.VERBS), `by` (the
user), `comment` and `transition` (the Transition row). Notifications listen to it.

`comment_received`: a reader's comment is stored and committed. Sent with `comment`.
Notifications listen to it.
"""

from django.dispatch import Signal

article_moved = Signal()
comment_received = Signal()
