"""Events of contracts: nothing left but ending it, asked to end, ended."""

from __future__ import annotations

from dataclasses import dataclass

from core.events.base import Event


@dataclass(frozen=True, kw_only=True)
class ContractEvent(Event):
    contract_id: int


@dataclass(frozen=True, kw_only=True)
class ContractSettled(ContractEvent, kind="contract.settled"):
    pass


@dataclass(frozen=True, kw_only=True)
class ContractEndRequested(ContractEvent, kind="contract.end_requested"):
    pass


@dataclass(frozen=True, kw_only=True)
class ContractEnded(ContractEvent):
    project_id: int


@dataclass(frozen=True, kw_only=True)
class ContractCompleted(ContractEnded, kind="contract.completed"):
    pass


@dataclass(frozen=True, kw_only=True)
class ContractCancelled(ContractEnded, kind="contract.cancelled"):
    pass
