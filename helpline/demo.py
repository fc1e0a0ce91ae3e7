"""Demo data: an admin, a few operators and areas, and one sandbox channel. Idempotent."""

from __future__ import annotations

from sqlalchemy import select

from helpline.areas.models import Area, UserArea
from helpline.auth import service as auth_service
from helpline.auth.models import Role, User
from helpline.auth.schemas import UserCreate
from helpline.channels.models import Channel
from helpline.channels.schemas import ChannelCreate
from helpline.channels.service import create_channel
from helpline.db import Database
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
        if await session.scalar(select(QuickReply.id).limit(1)) is None:
            admin = await session.scalar(select(User).where(User.username == ADMIN[0]))
            assert admin is not None
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
        await session.commit()
