"""Limits on what one GraphQL request may ask of the PMS service, all checked before execution.

Strawberry's own extensions bound the document (tokens, aliases, depth) and, unless settings
allow it, refuse introspection; `introspection_depth_rule` bounds introspection's recursive
`ofType` chains, which `QueryDepthLimiter` skips; `QueryCost` adds up the PMS work the root
fields ask for (availability: nights times room types) and refuses an operation over budget before
any resolver runs. Why each value: docs/security.md.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from graphql import (
    DocumentNode,
    ExecutionResult,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    InlineFragmentNode,
    OperationDefinitionNode,
    SelectionSetNode,
    ValidationContext,
    ValidationRule,
    get_operation_ast,
    value_from_ast_untyped,
)
from strawberry.extensions import (
    AddValidationRules,
    DisableIntrospection,
    MaxAliasesLimiter,
    MaxTokensLimiter,
    QueryDepthLimiter,
    SchemaExtension,
)

from hotelbot.pms.schemas import MAX_STAY_NIGHTS
from hotelbot.settings import Settings

#: Every root field is at least one call into the PMS adapter.
CALL_COST = 10
#: Root fields whose work grows with the nights of the stay in their `input`.
STAY_INPUT_FIELDS = frozenset({"quote", "create_reservation", "modify_reservation"})


@dataclass(frozen=True)
class GraphqlLimits:
    """The limits one GraphQL schema enforces (from `settings.pms`)."""

    introspection: bool
    max_depth: int
    max_aliases: int
    max_tokens: int
    max_cost: int
    room_types_estimate: int

    @classmethod
    def from_settings(cls, settings: Settings) -> GraphqlLimits:
        pms = settings.pms
        introspection = pms.graphql_introspection
        return cls(
            # Unset: on where the sandbox runs (embedded, development), off in production.
            introspection=settings.whatsapp.sandbox if introspection is None else introspection,
            max_depth=pms.graphql_max_depth,
            max_aliases=pms.graphql_max_aliases,
            max_tokens=pms.graphql_max_tokens,
            max_cost=pms.graphql_max_cost,
            room_types_estimate=pms.graphql_room_types_estimate,
        )


def limit_extensions(limits: GraphqlLimits) -> list[Callable[[], SchemaExtension]]:
    """Extension factories for `strawberry.Schema(extensions=...)`, one set per request."""
    factories: list[Callable[[], SchemaExtension]] = [
        lambda: MaxTokensLimiter(max_token_count=limits.max_tokens),
        # Before the validation rules: MaxAliasesLimiter and QueryDepthLimiter walk a fragment
        # once per spread, which is exponential in a chain of fragments spread twice each.
        lambda: ExpandedSizeLimit(max_fields=limits.max_tokens),
        lambda: MaxAliasesLimiter(max_alias_count=limits.max_aliases),
        lambda: QueryDepthLimiter(max_depth=limits.max_depth),
        lambda: AddValidationRules([introspection_depth_rule(limits.max_depth)]),
        lambda: QueryCost(limits),
    ]
    if not limits.introspection:
        factories.append(DisableIntrospection)
    return factories


# ---- fragment expansion ----------------------------------------------------------------------


class ExpandedSizeLimit(SchemaExtension):
    """Refuse, before validation, a document whose fragments expand to over `max_fields` fields.

    Written out without fragments, a document within the token limit has fewer fields than
    tokens; fragments spread many times can multiply that without limit ("fragment bombs"), and
    some validation rules walk every expansion. Validation is skipped when this refuses.
    """

    def __init__(self, max_fields: int) -> None:
        super().__init__()
        self.max_fields = max_fields

    def on_validate(self) -> Iterator[None]:
        context = self.execution_context
        document = context.graphql_document
        if document is not None and context.pre_execution_errors is None:
            sizes = _Sizes(_fragments(document))
            fields = sum(
                sizes.of(d.selection_set)
                for d in document.definitions
                if isinstance(d, OperationDefinitionNode)
            )
            if fields > self.max_fields:
                context.pre_execution_errors = [
                    GraphQLError(
                        f"document expands to {fields} fields through its fragments; "
                        f"the limit is {self.max_fields}",
                        extensions={"code": "query_too_large"},
                    )
                ]
        yield


class _Sizes:
    """Fields in a selection set with every fragment spread written out, each fragment counted
    once and reused: linear in the document however often a fragment is spread."""

    def __init__(self, fragments: Mapping[str, FragmentDefinitionNode]) -> None:
        self.fragments = fragments
        self.counted: dict[str, int] = {}

    def of(self, selections: SelectionSetNode | None) -> int:
        if selections is None:
            return 0
        total = 0
        for selection in selections.selections:
            if isinstance(selection, FieldNode):
                total += 1 + self.of(selection.selection_set)
            elif isinstance(selection, InlineFragmentNode):
                total += self.of(selection.selection_set)
            elif isinstance(selection, FragmentSpreadNode):
                total += self._fragment(selection.name.value)
        return total

    def _fragment(self, name: str) -> int:
        if name not in self.counted:
            self.counted[name] = 0  # a cycle (refused by validation) adds nothing
            fragment = self.fragments.get(name)
            self.counted[name] = self.of(fragment.selection_set) if fragment else 0
        return self.counted[name]


# ---- introspection depth ---------------------------------------------------------------------


def introspection_depth_rule(max_depth: int) -> type[ValidationRule]:
    """A rule refusing `__schema` / `__type` selections nested deeper than `max_depth`.

    `QueryDepthLimiter` ignores introspection fields, and graphql-core's
    `MaxIntrospectionDepthRule` does not count `ofType`, so `{ __schema { types { ofType {
    ofType ... } } } }` would pass both at any depth.
    """

    class IntrospectionDepth(ValidationRule):
        def __init__(self, context: ValidationContext) -> None:
            super().__init__(context)
            self.depths = _Depths(_fragments(context.document), cap=max_depth + 1)

        def enter_field(self, node: FieldNode, *_args: Any) -> None:
            if node.name.value not in ("__schema", "__type"):
                return
            if self.depths.below(node.selection_set) > max_depth:
                self.report_error(
                    GraphQLError(
                        f"introspection nested deeper than {max_depth} levels",
                        [node],
                        extensions={"code": "query_too_deep"},
                    )
                )

    return IntrospectionDepth


class _Depths:
    """Field depth of selection sets, counted up to `cap`; each fragment is measured once, so a
    fragment spread many times costs no more than one spread."""

    def __init__(self, fragments: Mapping[str, FragmentDefinitionNode], *, cap: int) -> None:
        self.fragments = fragments
        self.cap = cap
        self.measured: dict[str, int] = {}

    def below(self, selections: SelectionSetNode | None, level: int = 0) -> int:
        if selections is None or level >= self.cap:
            return 0
        deepest = 0
        for selection in selections.selections:
            if isinstance(selection, FieldNode):
                depth = 1 + self.below(selection.selection_set, level + 1)
            elif isinstance(selection, InlineFragmentNode):
                depth = self.below(selection.selection_set, level)
            elif isinstance(selection, FragmentSpreadNode):
                depth = self._fragment(selection.name.value)
            else:  # pragma: no cover - the three selection kinds are all GraphQL has
                continue
            deepest = max(deepest, depth)
        return min(deepest, self.cap)

    def _fragment(self, name: str) -> int:
        if name not in self.measured:
            self.measured[name] = 0  # a cycle (refused by validation anyway) adds nothing
            fragment = self.fragments.get(name)
            self.measured[name] = self.below(fragment.selection_set) if fragment else 0
        return self.measured[name]


def _fragments(document: DocumentNode) -> dict[str, FragmentDefinitionNode]:
    return {d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)}


# ---- cost ------------------------------------------------------------------------------------


class QueryCost(SchemaExtension):
    """Refuse an operation whose estimated PMS work is over `max_cost`, before any resolver runs.

    Runs at the start of execution, after validation, because only then are the variables known:
    `availability(check_in: $a, check_out: $b)` costs what its variables say.
    """

    def __init__(self, limits: GraphqlLimits) -> None:
        super().__init__()
        self.limits = limits

    def on_execute(self) -> Iterator[None]:
        context = self.execution_context
        if context.graphql_document is not None and context.result is None:
            document = context.graphql_document
            operation = get_operation_ast(document, context.operation_name)
            if operation is not None:
                variables = dict(context.variables or {})
                cost = estimate_cost(operation, _fragments(document), variables, self.limits)
                if cost > self.limits.max_cost:
                    context.result = ExecutionResult(data=None, errors=[self._error(cost)])
        yield

    def _error(self, cost: int) -> GraphQLError:
        limit = self.limits.max_cost
        return GraphQLError(
            f"query too costly: estimated cost {cost} is over the limit of {limit} "
            "(availability costs nights times room types; split the query)",
            extensions={"code": "query_too_costly", "cost": cost, "max_cost": limit},
        )


def estimate_cost(
    operation: OperationDefinitionNode,
    fragments: Mapping[str, FragmentDefinitionNode],
    variables: dict[str, Any],
    limits: GraphqlLimits,
) -> int:
    """The PMS work `operation` asks for; stops adding once over `limits.max_cost`.

    Each root field (an alias is one more) costs `CALL_COST`, plus nights times room types for
    `availability` and nights for the stay mutations. Room types are not known before the PMS
    is asked, so `limits.room_types_estimate` stands in for them.
    """
    total = 0
    for field in _root_fields(operation.selection_set, fragments):
        total += CALL_COST + _work(field, variables, limits)
        if total > limits.max_cost:
            break
    return total


def _root_fields(
    selections: SelectionSetNode, fragments: Mapping[str, FragmentDefinitionNode]
) -> Iterator[FieldNode]:
    for selection in selections.selections:
        if isinstance(selection, FieldNode):
            yield selection
        elif isinstance(selection, InlineFragmentNode):
            yield from _root_fields(selection.selection_set, fragments)
        elif isinstance(selection, FragmentSpreadNode):
            fragment = fragments.get(selection.name.value)
            if fragment is not None:
                yield from _root_fields(fragment.selection_set, fragments)


def _work(field: FieldNode, variables: dict[str, Any], limits: GraphqlLimits) -> int:
    arguments = {
        argument.name.value: value_from_ast_untyped(argument.value, variables)
        for argument in field.arguments or ()
    }
    name = field.name.value
    if name == "availability":
        nights = _nights(arguments.get("check_in"), arguments.get("check_out"))
        return nights * limits.room_types_estimate
    if name in STAY_INPUT_FIELDS:
        stay = arguments.get("input")
        stay = stay if isinstance(stay, dict) else {}
        return _nights(stay.get("check_in"), stay.get("check_out"))
    return 0


def _nights(check_in: Any, check_out: Any) -> int:
    """Nights between two ISO dates, 1..MAX_STAY_NIGHTS; the longest stay when unknown."""
    try:
        nights = (dt.date.fromisoformat(check_out) - dt.date.fromisoformat(check_in)).days
    except (TypeError, ValueError):
        return MAX_STAY_NIGHTS
    return min(max(nights, 1), MAX_STAY_NIGHTS)
