"""`join` and `leave`: one crisis followed in several conversations, on any platform.

Joining links the conversation the command is typed in; the broadcast then posts the incident card and the cards
of the drafts still waiting there (`bot.reactions`: a newly linked place gets what the others already show).
"""

from __future__ import annotations

from bot import commands as c
from bot.errors import InvalidState
from bot.handlers import Context, Outcome, _changed, handles
from bot.model import Status
from bot.replies import Reply


@handles(c.JoinIncident)
def join_incident(cmd: c.JoinIncident, ctx: Context) -> Outcome:
    incident = ctx.incident(cmd.incident)
    # The newest incident of a conversation is its implicit one: joining a second active crisis would silently send
    # `resolve`, `approve`… typed there to the other one.
    here = ctx.uow.incidents.by_conversation(ctx.conversation)
    if here is not None and here.key != incident.key and here.status is not Status.RESOLVED:
        raise InvalidState("{here} already lives in this conversation; follow {key} from another one.",
                           here=here.key, key=incident.key)
    joined = incident.join(ctx.conversation, ctx.origin.person, ctx.now)
    if joined is None:
        text = ctx.t("{key} is already followed here.", key=incident.key)
        return Outcome(Reply(text=text, private=True, incident=incident.key))
    return _changed(ctx, incident, joined)


@handles(c.LeaveIncident)
def leave_incident(cmd: c.LeaveIncident, ctx: Context) -> Outcome:
    incident = ctx.incident(cmd.incident)
    return _changed(ctx, incident, incident.leave(ctx.conversation, ctx.origin.person, ctx.now))
