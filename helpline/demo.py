"""Demo data: an admin, a few operators and areas, one sandbox channel and a bot flow.
Idempotent."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from helpline.areas.models import Area, UserArea
from helpline.auth import service as auth_service
from helpline.auth.models import Role, User
from helpline.auth.schemas import UserCreate
from helpline.channels.models import Channel
from helpline.channels.schemas import ChannelCreate
from helpline.channels.service import create_channel
from helpline.db import Database
from helpline.flows import service as flows
from helpline.flows.definition import FlowDefinition
from helpline.flows.models import Flow
from helpline.flows.schemas import FlowCreate
from helpline.quick_replies.models import QuickReply, Scope
from helpline.quick_replies.schemas import QuickReplyIn
from helpline.quick_replies.service import create_reply

ADMIN = ("test", "Test1234!", "test@example.com", "Test Admin")
AREAS = [
    ("Ventas", "Consultas comerciales, precios y presupuestos"),
    ("Soporte", "Ayuda técnica y reclamos"),
]
OPERATORS = [
    ("laura", "Laura Gómez", Role.OPERATOR, "Ventas"),
    ("diego", "Diego Pereira", Role.SUPPORT, "Soporte"),
    ("sofia", "Sofía Martins", Role.SUPERVISOR, "Soporte"),
]
OPERATOR_PASSWORD = "Operador123!"
# (shortcut, title, body): placeholders are filled in by the console when inserted.
QUICK_REPLIES = [
    (
        "saludo",
        "Saludo",
        "¡Hola {contactName}! Soy [OPERADOR], del área {areaName}. ¿En qué puedo ayudarte?",
    ),
    (
        "espera",
        "Pedir un momento",
        "Dame un momento, por favor, que lo reviso y te respondo enseguida.",
    ),
    ("datos", "Pedir datos", "Para ayudarte mejor, ¿me indicas tu nombre completo y tu DNI?"),
    (
        "horario",
        "Horario de atención",
        "Atendemos de lunes a viernes de 9 a 18 h y los sábados de 9 a 13 h.",
    ),
    (
        "gracias",
        "Agradecimiento",
        "¡Gracias por escribirnos! Cualquier otra consulta, aquí estamos.",
    ),
    (
        "cierre",
        "Despedida",
        "Doy por finalizada la conversación. ¡Que tengas un buen día! — {operatorName}",
    ),
]


async def seed_demo(db: Database) -> None:
    async with db.sessionmaker() as session:
        await auth_service.ensure_admin(session, *ADMIN)
        areas: dict[str, Area] = {}
        for name, description in AREAS:
            area = await session.scalar(select(Area).where(Area.name == name))
            if area is None:
                area = Area(name=name, description=description)
                session.add(area)
                await session.flush()
            areas[name] = area
        for username, name, role, area_name in OPERATORS:
            user = await session.scalar(select(User).where(User.username == username))
            if user is None:
                user = await auth_service.create_user(
                    session,
                    UserCreate(username=username, name=name, password=OPERATOR_PASSWORD, role=role),
                )
                session.add(UserArea(user_id=user.id, area_id=areas[area_name].id, is_default=True))
        admin = await session.scalar(select(User).where(User.username == ADMIN[0]))
        assert admin is not None
        if await session.scalar(select(QuickReply.id).limit(1)) is None:
            for shortcut, title, body in QUICK_REPLIES:
                await create_reply(
                    session,
                    admin,
                    QuickReplyIn(shortcut=shortcut, title=title, body=body, scope=Scope.GLOBAL),
                )
        if await session.scalar(select(Channel.id).limit(1)) is None:
            await create_channel(
                session, ChannelCreate(name="Sandbox", provider="sandbox", is_default=True)
            )
        if await session.scalar(select(Flow.id).limit(1)) is None:
            definition = demo_flow(areas["Ventas"].id, areas["Soporte"].id)
            info = await flows.create_flow(
                session,
                FlowCreate(name="Bienvenida", definition=FlowDefinition.model_validate(definition)),
            )
            await flows.publish(session, info.flow.id, admin)
        await session.commit()


def demo_flow(ventas: int, soporte: int) -> dict[str, Any]:
    """The default flow of every channel: welcome, main menu (ventas, soporte with its own
    menu, estado de pedido, a person), the customer's name, redirects, an end."""
    return {
        "settings": {"defaultAreaId": soporte, "menuKey": "menu-principal"},
        "nodes": [
            {
                "key": "bienvenida",
                "type": "message",
                "title": "Bienvenida",
                "text": "¡Hola! 👋 Gracias por escribir a Helpline Demo. Soy el asistente "
                "virtual.\nEn cualquier momento escribí *menú* para volver al inicio o "
                "*asesor* para hablar con una persona.",
                "children": [_main_menu(ventas, soporte)],
            }
        ],
    }


def _main_menu(ventas: int, soporte: int) -> dict[str, Any]:
    return {
        "key": "menu-principal",
        "type": "menu",
        "title": "Menú principal",
        "text": "¿En qué te podemos ayudar? Respondé con el número de una opción:",
        "options": [
            _option(1, "Ventas", "ventas-nombre", "ventas", "comprar", "precio", "presupuesto"),
            _option(2, "Soporte", "soporte", "soporte", "ayuda", "tecnico", "problema", "falla"),
            _option(3, "Estado de pedido", "pedido", "pedido", "estado", "envio", "seguimiento"),
            {"number": 4, "label": "Hablar con una persona", "human": True},
        ],
        "children": [_sales(ventas), _support_menu(soporte), _order_status()],
    }


def _option(number: int, label: str, target: str, *keywords: str) -> dict[str, Any]:
    return {"number": number, "label": label, "keywords": list(keywords), "target": target}


def _ask_name(key: str, question: str, then: dict[str, Any]) -> dict[str, Any]:
    return {
        "key": key,
        "type": "action",
        "action": "ask",
        "field": "name",
        "title": "Pedir el nombre",
        "text": question,
        "children": [then],
    }


def _sales(ventas: int) -> dict[str, Any]:
    redirect = {
        "key": "a-ventas",
        "type": "redirect",
        "areaId": ventas,
        "text": "Gracias, {name}. Te comunicamos con el área de Ventas; en breve te responde "
        "un asesor.",
    }
    tag = {
        "key": "etiqueta-ventas",
        "type": "action",
        "action": "tag",
        "tag": "interes-ventas",
        "children": [redirect],
    }
    question = "¡Genial! Para que un asesor comercial te atienda, ¿cómo es tu nombre?"
    return _ask_name("ventas-nombre", question, tag)


def _support_menu(soporte: int) -> dict[str, Any]:
    redirect = {
        "key": "a-soporte",
        "type": "redirect",
        "areaId": soporte,
        "text": "Gracias, {name}. Te derivamos al área de Soporte; un técnico te responde en "
        "breve.",
    }
    return {
        "key": "soporte",
        "type": "menu",
        "title": "Menú de soporte",
        "text": "¿Con qué necesitás ayuda?",
        "options": [
            _option(1, "Internet", "soporte-internet", "internet", "wifi", "conexion"),
            _option(2, "Facturación", "soporte-facturacion", "factura", "facturacion", "pago"),
            _option(3, "Otro", "soporte-nombre", "otro", "otra"),
            _option(0, "Volver al menú principal", "menu-principal", "volver"),
        ],
        "children": [
            {
                "key": "soporte-internet",
                "type": "message",
                "text": "Probá reiniciar tu módem: desenchufalo 30 segundos y volvé a "
                "enchufarlo. Si el problema sigue, te pasamos con un técnico.",
                "next": "soporte-nombre",
            },
            {
                "key": "soporte-facturacion",
                "type": "message",
                "text": "Tus facturas están en Mi cuenta → Facturación, en nuestra web. Si "
                "necesitás algo más, te atiende una persona del equipo.",
                "next": "soporte-nombre",
            },
            _ask_name(
                "soporte-nombre", "Para derivarte con un técnico, ¿cómo es tu nombre?", redirect
            ),
        ],
    }


def _order_status() -> dict[str, Any]:
    """A catalog lookup: the order's status from the entries of the node."""
    more = {
        "key": "algo-mas",
        "type": "menu",
        "text": "¿Te ayudamos con algo más?",
        "options": [
            _option(1, "Sí, volver al menú", "menu-principal", "si"),
            _option(2, "No, gracias", "fin", "no"),
        ],
        "children": [{"key": "fin", "type": "end", "text": "¡Gracias por escribirnos! 👋"}],
    }
    return {
        "key": "pedido",
        "type": "action",
        "action": "catalog",
        "command": "lookup",
        "title": "Estado de pedido",
        "text": "Escribí tu número de pedido (por ejemplo 1001):",
        "retryText": "No encontramos ese número de pedido. Revisalo y escribilo de nuevo "
        "(por ejemplo 1001).",
        "storeAs": "pedido",
        "entries": [
            {"key": "1001", "text": "📦 Pedido 1001: en preparación; sale mañana."},
            {"key": "1002", "text": "🚚 Pedido 1002: en camino; llega hoy antes de las 20 h."},
            {"key": "1003", "text": "✅ Pedido 1003: entregado el lunes."},
        ],
        "children": [more],
    }
