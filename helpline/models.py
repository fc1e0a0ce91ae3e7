"""Every table, imported in one place so Alembic and the tests see the whole schema."""

from helpline.areas.models import Area, UserArea
from helpline.audit.models import AuditEntry
from helpline.auth.models import User, UserSession
from helpline.bot_rules.models import BotSettings
from helpline.catalog.models import Category, Product
from helpline.channels.models import Channel, ChannelDrops, ChannelEvent
from helpline.contacts.models import (
    Contact,
    ContactAttribute,
    ContactAttributeValue,
    ContactEvent,
    ContactStatus,
    ContactTag,
)
from helpline.conversations.labels import ConversationLabel, Label
from helpline.conversations.models import Conversation, ConversationEvent
from helpline.db import Base
from helpline.dead_letters.models import DeadLetter
from helpline.flows.models import Flow, FlowRun, FlowVersion
from helpline.integrations.models import WebhookDelivery, WebhookSubscription
from helpline.media.models import MediaFile
from helpline.messages.models import Message
from helpline.orders.models import Order, OrderLine, OrderStatusChange, OrderStatusMessage
from helpline.pipeline.models import Deal, DealStageChange, Pipeline, Stage
from helpline.presence.models import ConsoleSocket
from helpline.quick_replies.models import QuickReply
from helpline.sending.models import IdempotencyKey
from helpline.surveys.models import AreaSurvey, Survey
from helpline.targets.models import AreaTargets, TargetBreach
from helpline.templates.models import MessageTemplate
from helpline.tokens.models import ApiToken
from helpline.working_hours.models import DateException, WeeklyInterval

__all__ = [
    "ApiToken",
    "Area",
    "AuditEntry",
    "AreaSurvey",
    "AreaTargets",
    "Base",
    "BotSettings",
    "Category",
    "Channel",
    "ChannelDrops",
    "ChannelEvent",
    "Contact",
    "ContactAttribute",
    "ContactAttributeValue",
    "ContactEvent",
    "ContactStatus",
    "ContactTag",
    "ConversationLabel",
    "DateException",
    "Deal",
    "DealStageChange",
    "Flow",
    "FlowRun",
    "FlowVersion",
    "IdempotencyKey",
    "Label",
    "ConsoleSocket",
    "Conversation",
    "ConversationEvent",
    "DeadLetter",
    "MediaFile",
    "Message",
    "Order",
    "OrderLine",
    "OrderStatusChange",
    "OrderStatusMessage",
    "Product",
    "WebhookDelivery",
    "WebhookSubscription",
    "MessageTemplate",
    "Pipeline",
    "QuickReply",
    "Survey",
    "TargetBreach",
    "Stage",
    "User",
    "UserArea",
    "UserSession",
    "WeeklyInterval",
]
