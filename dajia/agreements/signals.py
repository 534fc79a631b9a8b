"""Signals agreements send to the apps that depend on them, so agreements never import those apps.

``agreement_closed(agreement, actor, reason)`` — sent inside the transaction that voids or terminates an
agreement; a receiver returns how many of its own records it closed (``dajia.orders`` cancels open orders).
"""

from django.dispatch import Signal

agreement_closed = Signal()
