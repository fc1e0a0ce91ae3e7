from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated

from pydantic import AfterValidator, Field

from helpline.auth.schemas import ApiModel
from helpline.messages.schemas import UserRef

# ISO 4217 currencies in use (funds, metals and test codes left out: no deal is in them).
_ISO_4217 = """AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BHD BIF BMD BND BOB BRL BSD
    BTN BWP BYN BZD CAD CDF CHF CLP CNY COP CRC CUP CVE CZK DJF DKK DOP DZD EGP ERN ETB EUR
    FJD FKP GBP GEL GHS GIP GMD GNF GTQ GYD HKD HNL HTG HUF IDR ILS INR IQD IRR ISK JMD JOD
    JPY KES KGS KHR KMF KPW KRW KWD KYD KZT LAK LBP LKR LRD LSL LYD MAD MDL MGA MKD MMK MNT
    MOP MRU MUR MVR MWK MXN MYR MZN NAD NGN NIO NOK NPR NZD OMR PAB PEN PGK PHP PKR PLN PYG
    QAR RON RSD RUB RWF SAR SBD SCR SDG SEK SGD SHP SLE SOS SRD SSP STN SVC SYP SZL THB TJS
    TMT TND TOP TRY TTD TWD TZS UAH UGX USD UYU UZS VED VES VND VUV WST XAF XCD XCG XOF XPF
    YER ZAR ZMW ZWG"""
CURRENCIES = frozenset(_ISO_4217.split())


def _currency(code: str) -> str:
    code = code.strip().upper()
    if code not in CURRENCIES:
        raise ValueError("expected an ISO 4217 currency code such as ARS, USD or EUR")
    return code


Currency = Annotated[str, Field(min_length=3, max_length=3), AfterValidator(_currency)]
# Exact money: at most 12 digits before the point and 2 after, never negative. Sent as a
# decimal string ("10.10"); a JSON number is accepted on the way in.
Money = Annotated[Decimal, Field(ge=0, max_digits=14, decimal_places=2)]
CENT = Decimal("0.01")


def _cents(value: Decimal) -> Decimal:
    return value.quantize(CENT)


# Always with two decimals on the wire ("7.50", never "7.5").
Amount = Annotated[Decimal, AfterValidator(_cents)]
Colour = Annotated[str, Field(pattern=r"^#[0-9a-fA-F]{6}$")]
Name = Annotated[str, Field(min_length=1, max_length=80)]


# --- pipelines and stages ----------------------------------------------------------------


class PipelineIn(ApiModel):
    name: Name
    position: int | None = Field(default=None, ge=0)


class PipelinePatch(ApiModel):
    name: Name | None = None
    position: int | None = Field(default=None, ge=0)


class StageIn(ApiModel):
    pipeline_id: int
    name: Name
    colour: Colour = "#64748b"
    # Where to put it (0 = first); at the end when not given.
    position: int | None = Field(default=None, ge=0)
    is_won: bool = False
    is_lost: bool = False


class StagePatch(ApiModel):
    name: Name | None = None
    colour: Colour | None = None
    # Moves the stage to this place in its pipeline; the others shift to make room.
    position: int | None = Field(default=None, ge=0)
    is_won: bool | None = None
    is_lost: bool | None = None


class StageOut(ApiModel):
    id: int
    pipeline_id: int
    name: str
    colour: str
    position: int
    is_won: bool
    is_lost: bool


class PipelineOut(ApiModel):
    id: int
    name: str
    position: int
    stages: list[StageOut]


# --- deals -------------------------------------------------------------------------------


class ContactBrief(ApiModel):
    id: int
    name: str | None
    phone: str | None


class DealIn(ApiModel):
    title: str = Field(min_length=1, max_length=160)
    contact_id: int
    stage_id: int
    value: Annotated[Money, AfterValidator(_cents)] = Decimal("0.00")
    currency: Currency
    # Not given: the creator owns it.
    owner_id: int | None = None
    expected_close: date | None = None
    notes: str | None = Field(default=None, max_length=10_000)


class DealPatch(ApiModel):
    """Only the fields sent change; `stageId` moves the deal (kept in its history)."""

    title: str | None = Field(default=None, min_length=1, max_length=160)
    contact_id: int | None = None
    stage_id: int | None = None
    value: Annotated[Money, AfterValidator(_cents)] | None = None
    currency: Currency | None = None
    owner_id: int | None = None
    expected_close: date | None = None
    notes: str | None = Field(default=None, max_length=10_000)


class DealOut(ApiModel):
    id: int
    title: str
    contact: ContactBrief
    value: Amount
    currency: str
    owner: UserRef | None
    pipeline_id: int
    stage_id: int
    expected_close: date | None
    notes: str | None
    created_at: datetime
    updated_at: datetime


class StageChangeOut(ApiModel):
    id: int
    deal_id: int
    from_stage_id: int | None
    to_stage_id: int | None
    user: UserRef | None
    at: datetime


# --- the board ---------------------------------------------------------------------------


class StageTotal(ApiModel):
    """What a column sums to, per currency (deals in different currencies are not added)."""

    currency: str
    value: Amount


class BoardStage(StageOut):
    deal_count: int
    totals: list[StageTotal]
    deals: list[DealOut]


class BoardPipeline(ApiModel):
    id: int
    name: str
    position: int
    stages: list[BoardStage]


class Board(ApiModel):
    pipelines: list[BoardPipeline]
