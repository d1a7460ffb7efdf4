"""Assignment inside a department: who may take a conversation now, who is next, and why the others are not.

Round robin needs no stored cursor: the agent assigned least recently is next, so the rotation survives
restarts and any number of hub processes as long as the hub keeps `last_assigned_at` up to date.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from routing.decision import Candidate, Exclusion, human_duration
from routing.model import (
    AgentState,
    ConversationSnapshot,
    Department,
    Strategy,
    priority_rank,
    to_utc,
)

_NEVER = datetime.min.replace(tzinfo=UTC)


@dataclass(frozen=True, slots=True)
class AssignmentRequest:
    department: Department
    strategy: Strategy
    waited: float  # seconds the conversation has been waiting, for the fallback ladder
    language: str | None = None
    skills: frozenset[str] = frozenset()
    preferred_agent_id: str | None = None  # named by a rule
    sticky_agent_id: str | None = None  # the customer's previous agent
    excluded_agent_ids: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True)
class AssignmentResult:
    agent_id: str | None
    agent_name: str | None
    ranked: tuple[str, ...]  # agent_id first, then who to try if the hub's capacity claim fails
    candidates: tuple[Candidate, ...]
    filtered_out: tuple[Exclusion, ...]
    tie_break: str
    fallback: str = ""
    notes: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class QueuePick:
    conversation_id: str | None
    ranked: tuple[str, ...]  # every queued conversation this agent may take, first to take first
    reason: str
    skipped: tuple[tuple[str, str], ...] = ()  # (conversation id, why this agent cannot take it yet)


def _has(values: frozenset[str], wanted: str) -> bool:
    if wanted in values:
        return True
    wanted = wanted.casefold()
    return any(value.casefold() == wanted for value in values)


def availability_problem(agent: AgentState) -> str | None:
    if agent.status != "online":
        return agent.status
    if not agent.connected:
        return "not connected"
    if agent.open_count >= agent.capacity:
        return f"at capacity ({agent.open_count}/{agent.capacity})"
    return None


def fit_problem(agent: AgentState, language: str | None, skills: Iterable[str]) -> str | None:
    if language and not _has(agent.languages, language):
        return f"lacks language {language}"
    missing = sorted(skill for skill in skills if not _has(agent.skills, skill))
    if missing:
        return f"lacks skill {', '.join(missing)}"
    return None


def members(agents: Iterable[AgentState], department_id: str) -> list[AgentState]:
    return [agent for agent in agents if department_id in agent.department_ids]


def achievable_requirements(
    department: Department, team: Sequence[AgentState], language: str | None, skills: Iterable[str]
) -> tuple[str | None, frozenset[str], tuple[str, ...]]:
    """Drop needs nobody in the department could ever meet: waiting for them would only delay the customer."""
    notes: list[str] = []
    if language and not any(_has(agent.languages, language) for agent in team):
        notes.append(f"nobody in {department.label} speaks {language}, so language is not required")
        language = None
    kept = frozenset(skill for skill in skills if any(_has(agent.skills, skill) for agent in team))
    dropped = sorted(set(skills) - kept)
    if dropped:
        notes.append(f"nobody in {department.label} has skill {', '.join(dropped)}, so it is not required")
    return language, kept, tuple(notes)


def rank(agents: Iterable[AgentState], strategy: Strategy) -> list[AgentState]:
    def waited_longest(agent: AgentState) -> datetime:
        return _NEVER if agent.last_assigned_at is None else to_utc(agent.last_assigned_at)

    if strategy == "round_robin":
        return sorted(agents, key=lambda a: (waited_longest(a), a.id))
    return sorted(agents, key=lambda a: (a.open_count, waited_longest(a), a.id))


def _last(agent: AgentState) -> str:
    if agent.last_assigned_at is None:
        return "never assigned"
    return f"last assigned {to_utc(agent.last_assigned_at).isoformat(timespec='seconds')}"


def _tie_break(ranked: Sequence[AgentState], strategy: Strategy) -> str:
    top = ranked[0]
    if len(ranked) == 1:
        return f"only available candidate: {top.label}"
    runner_up = ranked[1]
    same_time = top.last_assigned_at == runner_up.last_assigned_at
    if strategy == "round_robin":
        text = f"round robin: {top.label} is next in rotation ({_last(top)})"
        return text + ("; tie broken by agent id" if same_time else "")
    if top.open_count < runner_up.open_count:
        return f"balanced: {top.label} has the fewest open conversations ({top.open_count})"
    tied = sum(1 for agent in ranked if agent.open_count == top.open_count)
    text = (
        f"balanced: {tied} agents tied at {top.open_count} open conversations; "
        f"{top.label} waited longest since their last assignment ({_last(top)})"
    )
    return text + ("; tie broken by agent id" if same_time else "")


def _candidate(agent: AgentState) -> Candidate:
    return Candidate(agent.id, agent.label, agent.open_count, agent.capacity, agent.last_assigned_at)


def _missing_note(agent_id: str, who: str, team: Sequence[AgentState], out: Sequence[Exclusion]) -> str:
    why = next((e.reason for e in out if e.agent_id == agent_id), None)
    if why is not None:
        name = next(e.name for e in out if e.agent_id == agent_id)
        return f"{who} {name} is not available ({why})"
    if not any(agent.id == agent_id for agent in team):
        return f"{who} {agent_id} is not in this department"
    return f"{who} {agent_id} is not available"


def choose_agent(request: AssignmentRequest, agents: Iterable[AgentState]) -> AssignmentResult:
    department = request.department
    team = members(agents, department.id)
    if not team:
        return AssignmentResult(None, None, (), (), (), f"{department.label} has no agents")
    if request.strategy == "manual":
        return AssignmentResult(
            None, None, (), (), (), f"{department.label} assigns by hand (manual strategy)"
        )

    out: list[Exclusion] = []
    available: list[AgentState] = []
    for agent in team:
        problem = (
            "excluded from this assignment"
            if agent.id in request.excluded_agent_ids
            else availability_problem(agent)
        )
        if problem is None:
            available.append(agent)
        else:
            out.append(Exclusion(agent.id, agent.label, problem))

    notes: list[str] = []
    # A rule's named agent and the customer's previous agent skip the language and skill filters: the
    # first is an explicit admin choice, the second already knows the customer.
    for wanted, who, why in (
        (request.preferred_agent_id, "agent named by rule", "rule named this agent"),
        (request.sticky_agent_id, "previous agent", "sticky: returned to previous agent"),
    ):
        if wanted is None:
            continue
        chosen = next((agent for agent in available if agent.id == wanted), None)
        if chosen is not None:
            rest = rank((agent for agent in available if agent is not chosen), request.strategy)
            return AssignmentResult(
                chosen.id,
                chosen.label,
                (chosen.id, *(agent.id for agent in rest)),
                tuple(_candidate(agent) for agent in (chosen, *rest)),
                tuple(out),
                f"{why} {chosen.label}",
                notes=tuple(notes),
            )
        notes.append(_missing_note(wanted, who, team, out))

    fitting: list[AgentState] = []
    misfits: list[Exclusion] = []
    for agent in available:
        problem = fit_problem(agent, request.language, request.skills)
        if problem is None:
            fitting.append(agent)
        else:
            misfits.append(Exclusion(agent.id, agent.label, problem))

    needs = _needs(request)
    fallback = ""
    pool = fitting
    if not fitting and needs and available and request.waited >= department.fallback_after:
        pool = available
        waited, limit = human_duration(request.waited), human_duration(department.fallback_after)
        fallback = (
            f"waited {waited}, longer than {limit}: widened to all of {department.label} (dropped {needs})"
        )
    else:
        out.extend(misfits)

    if not pool:
        if needs and misfits:
            left = human_duration(max(0.0, department.fallback_after - request.waited))
            reason = f"waiting for an agent with {needs}; opens to the whole department in {left}"
        else:
            reason = f"no agent in {department.label} is available now"
        return AssignmentResult(None, None, (), (), tuple(out), reason, notes=tuple(notes))

    ranked = rank(pool, request.strategy)
    top = ranked[0]
    return AssignmentResult(
        top.id,
        top.label,
        tuple(agent.id for agent in ranked),
        tuple(_candidate(agent) for agent in ranked),
        tuple(out),
        _tie_break(ranked, request.strategy),
        fallback,
        tuple(notes),
    )


def _needs(request: AssignmentRequest) -> str:
    parts = []
    if request.language:
        parts.append(f"language {request.language}")
    if request.skills:
        parts.append(f"skill {', '.join(sorted(request.skills))}")
    return " and ".join(parts)


# ---------------------------------------------------------------------------------------------------------
# When capacity frees up (a resolve, an agent coming online): the longest-waiting conversation goes first.


def waited_seconds(conversation: ConversationSnapshot, now: datetime) -> float:
    since = conversation.waiting_since or conversation.created_at
    if since is None:
        return 0.0
    return max(0.0, (to_utc(now) - to_utc(since)).total_seconds())


def order_queue(conversations: Iterable[ConversationSnapshot]) -> list[ConversationSnapshot]:
    """Longest waiting first; equal waits go to the higher priority, then by id so the order is stable."""

    def key(conversation: ConversationSnapshot) -> tuple[bool, datetime, int, str]:
        since = conversation.waiting_since or conversation.created_at
        when = _NEVER if since is None else to_utc(since)
        return (since is None, when, -priority_rank(conversation.priority), conversation.id)

    return sorted(conversations, key=key)


def pick_next_for_agent(
    agent: AgentState,
    queued: Iterable[ConversationSnapshot],
    departments: Mapping[str, Department],
    now: datetime,
) -> QueuePick:
    problem = availability_problem(agent)
    if problem is not None:
        return QueuePick(None, (), f"{agent.label} cannot take a conversation now ({problem})")
    eligible: list[ConversationSnapshot] = []
    skipped: list[tuple[str, str]] = []
    for conversation in order_queue(queued):
        department_id = conversation.department_id
        if department_id is None or department_id not in agent.department_ids:
            continue
        if conversation.assignee_id is not None or conversation.status == "resolved":
            continue
        department = departments.get(department_id) or Department(department_id)
        if department.strategy == "manual":
            skipped.append((conversation.id, f"{department.label} assigns by hand"))
            continue
        misfit = fit_problem(agent, conversation.required_language, conversation.required_skills)
        waited = waited_seconds(conversation, now)
        if misfit is not None and waited < department.fallback_after:
            left = human_duration(department.fallback_after - waited)
            skipped.append((conversation.id, f"{misfit}; open to anyone in {department.label} in {left}"))
            continue
        eligible.append(conversation)
    if not eligible:
        return QueuePick(None, (), f"nothing queued that {agent.label} can take now", tuple(skipped))
    first = eligible[0]
    reason = f"longest waiting ({human_duration(waited_seconds(first, now))}) that {agent.label} can take"
    return QueuePick(first.id, tuple(c.id for c in eligible), reason, tuple(skipped))
