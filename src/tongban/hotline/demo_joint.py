"""Demo joint tickets (联动工单) in every state and merged groups (并单), made through the
services at past moments (``time_machine``), on top of the hotline demo. Idempotent: every
ticket carries an ``idempotency_key`` starting ``joint-demo-`` or ``merge-demo-``; a second
load does nothing. Ends with a merge sweep over the last three days, so the suggestions list
has the real intake's candidates too."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable

from django.db import transaction
from django.utils import timezone

from tongban.core import workdays
from tongban.core.models import User
from tongban.core.permissions import Role

from . import services
from .models import Subject, Ticket
from .services import joint, merging

TZ = workdays.BUSINESS_TZ
PHONES = iter(f"1390571{n:04d}" for n in range(8000, 9999))


def _user(role: str, department_code: str | None = None) -> User | None:
    qs = User.objects.filter(groups__name=role, is_active=True)
    if department_code:
        qs = qs.filter(staff__department__code=department_code)
    return qs.order_by("pk").first()


def _subject(name: str) -> str | None:
    subject = Subject.objects.filter(name=name, active=True).order_by("code").first()
    return subject.code if subject else None


def _day(now: dt.datetime, days_ago: int, hour: int = 10) -> dt.datetime:
    day = workdays.business_date(now) - dt.timedelta(days=days_ago)
    while not workdays.is_workday(day):
        day -= dt.timedelta(days=1)
    return dt.datetime.combine(day, dt.time(hour, 0), tzinfo=TZ)


JOINT = [
    # key, days ago, title, content, address, subject, lead, co, the steps it has been through
    (
        "awaiting",
        1,
        "小区门口道路塌陷积水",
        "云溪花苑北门道路路面塌陷，下雨积水，涉及路面、地下管网和小区出入口，多个部门互相推诿。",
        "云溪区云溪街道云溪社区云溪路云溪花苑北门",
        "道路积水",
        "cgj",
        ["zjj", "yx-station-330199001001"],
        [],
    ),
    (
        "co_partly",
        3,
        "老旧小区加装电梯施工扰民",
        "文一新村加装电梯施工，夜间施工噪声大，施工材料占用消防通道，已反映多次。",
        "云溪区云溪街道学府社区文一路文一新村 3 幢",
        "夜间施工噪声",
        "zjj",
        ["cgj", "gaj"],
        ["sign", "co_reply:cgj"],
    ),
    (
        "co_late",
        9,
        "餐饮店油烟直排且占道经营",
        "湖滨路多家餐饮店油烟直排，晚上在人行道摆摊经营，居民多次投诉无人管。",
        "云溪区东湖街道湖滨社区湖滨路 12 号",
        "餐饮油烟",
        "cgj",
        ["scjg", "yx-street-330199002"],
        ["sign", "co_sign:scjg", "late:co_reply:yx-street-330199002"],
    ),
    (
        "meeting",
        12,
        "河道边违建棚屋影响防汛",
        "东湖路河道边有人搭建棚屋堆放杂物，汛期影响行洪，涉及水利、城管、街道职责不清。",
        "云溪区东湖街道东湖社区东湖路 88 号河道边",
        "违章搭建",
        "cgj",
        ["zrzy", "yx-street-330199002"],
        ["sign", "co_reply:zrzy", "meeting"],
    ),
    (
        "replied",
        8,
        "学校门口上下学交通拥堵",
        "云溪实验中学门口上下学时段车辆乱停，学生过马路危险，希望交警、教育、城管联合治理。",
        "云溪区云溪街道学府社区学府路云溪实验中学",
        None,
        "jtj",
        ["jyj", "cgj"],
        ["sign", "co_reply:jyj", "co_reply:cgj", "reply"],
    ),
    (
        "closed",
        20,
        "农贸市场周边环境脏乱",
        "桂花路农贸市场周边垃圾堆放、占道经营，污水横流，需要市场监管和城管共同处理。",
        "云溪区云溪街道桂花社区桂花路农贸市场",
        None,
        "scjg",
        ["cgj"],
        ["sign", "co_reply:cgj", "reply", "callback"],
    ),
]


def _joint_ticket(spec, now, operator, out: Counter, traveller) -> None:
    key, days, title, content, address, subject, lead, co, steps = spec
    if Ticket.objects.filter(idempotency_key=f"joint-demo-{key}").exists():
        return
    if not all(_user(Role.HANDLER, code) for code in [lead, *co]):
        return  # the district's demo has no handler for one of these units
    at = _day(now, days)
    traveller.move_to(at)
    ticket = services.ticket_create(
        actor=operator,
        source="phone",
        ticket_type="complaint",
        title=title,
        content=content,
        caller_name="市民" + title[:1],
        caller_phone=next(PHONES),
        address=address,
        subject_code=_subject(subject) if subject else None,
        auto_dispatch=False,
        idempotency_key=f"joint-demo-{key}",
    )
    traveller.move_to(at + dt.timedelta(minutes=20))
    joint.ticket_joint_dispatch(
        ticket.ticket_no,
        actor=operator,
        lead_code=lead,
        co_codes=co,
        note="职责交叉，由热线中心指定主办和协办单位",
    )
    moment = at + dt.timedelta(hours=1)
    for step in steps:
        traveller.move_to(moment)
        if step == "sign":
            services.ticket_sign(ticket.ticket_no, actor=_user(Role.HANDLER, lead))
        elif step.startswith("co_sign:"):
            joint.ticket_co_sign(ticket.ticket_no, actor=_user(Role.HANDLER, step.split(":")[1]))
        elif step.startswith("co_reply:") or step.startswith("late:"):
            code = step.rsplit(":", 1)[1]
            if step.startswith("late:"):
                moment = _day(now, 1, 16)
                traveller.move_to(moment)
            joint.ticket_co_reply(
                ticket.ticket_no,
                actor=_user(Role.HANDLER, code),
                content="本单位已到现场核查，职责范围内的问题已处理，其余情况已告知主办单位。",
            )
        elif step == "meeting":
            moment = _day(now, 2, 15)
            traveller.move_to(moment)
            joint.coordination_meeting_record(
                ticket.ticket_no,
                actor=operator,
                held_on=moment.date(),
                participant_codes=[lead, *co],
                other_participants="区政府办公室 督查科",
                decision="由城管局牵头拆除违建，自然资源分局出具认定意见，街道做好当事人工作。",
                follow_up="城管局 5 个工作日内完成拆除并答复来电人。",
                follow_up_due=workdays.add_workdays(moment.date(), 5),
            )
        elif step == "reply":
            services.ticket_reply(
                ticket.ticket_no,
                actor=_user(Role.HANDLER, lead),
                reply="经主办、协办单位联合处置，问题已解决，已向来电人说明情况。",
                solved=True,
            )
        elif step == "callback":
            services.ticket_callback(
                ticket.ticket_no,
                actor=operator,
                reached=True,
                satisfaction="satisfied",
                solved=True,
                note="来电人表示满意",
            )
        moment += dt.timedelta(hours=1)
    out["joint tickets"] += 1


MERGE_TEXT = (
    "云溪路与科创大道路口路灯连续一周不亮，晚上行人和电动车经过很危险，请尽快修复。",
    "科创大道云溪路口的路灯坏了好几天，晚上一片漆黑，希望尽快维修。",
    "云溪路科创大道交叉口路灯不亮已经一周，老人晚上出门不方便。",
)


def _merged_groups(now, operator, out: Counter, traveller) -> None:
    if Ticket.objects.filter(idempotency_key__startswith="merge-demo-").exists():
        return
    handler = _user(Role.HANDLER, "cgj")
    if handler is None:
        return
    subject = _subject("路灯不亮")
    address = "云溪区云溪街道云溪社区云溪路科创大道路口"

    def create(key, text, at, **extra):
        traveller.move_to(at)
        return services.ticket_create(
            actor=operator,
            source=extra.pop("source", "phone"),
            ticket_type="complaint",
            title=extra.pop("title", "路口路灯不亮"),
            content=text,
            caller_name=extra.pop("caller_name", "市民"),
            caller_phone=next(PHONES),
            address=extra.pop("address", address),
            subject_code=extra.pop("subject", subject),
            auto_dispatch=False,
            idempotency_key=f"merge-demo-{key}",
        )

    # a group being handled: the primary dispatched, two repeats merged, one more suggested
    at = _day(now, 2, 9)
    primary = create("a0", MERGE_TEXT[0], at)
    services.ticket_dispatch(primary.ticket_no, actor=operator, department_code="cgj")
    for i, text in enumerate(MERGE_TEXT[1:], start=1):
        dup = create(f"a{i}", text, at + dt.timedelta(hours=i * 3))
        merging.merge_suggest_on_intake(dup)
        merging.merge_confirm(
            actor=operator, ticket_no=dup.ticket_no, into_no=primary.ticket_no, reason="同一路口"
        )
    pending = create("a3", "云溪路科创大道路口路灯还是不亮，再次反映。", at + dt.timedelta(days=1))
    merging.merge_suggest_on_intake(pending)
    # a replied group: each caller got the reply and waits for a callback
    at = _day(now, 6, 9)
    lamp = "云溪区东湖街道东湖社区东湖路东湖地铁站 B 口"
    cover = _subject("井盖缺失破损")
    first = create(
        "b0", "东湖地铁站 B 口井盖松动，踩上去会翻，很危险。", at, address=lamp, subject=cover
    )
    services.ticket_dispatch(first.ticket_no, actor=operator, department_code="cgj")
    second = create(
        "b1",
        "东湖路地铁站B口的井盖松了，电动车压过去咣当响，怕出事。",
        at + dt.timedelta(hours=2),
        address=lamp,
        subject=cover,
    )
    merging.merge_suggest_on_intake(second)
    merging.merge_confirm(actor=operator, ticket_no=second.ticket_no, into_no=first.ticket_no)
    traveller.move_to(at + dt.timedelta(hours=5))
    services.ticket_sign(first.ticket_no, actor=handler)
    traveller.move_to(at + dt.timedelta(days=1))
    services.ticket_reply(
        first.ticket_no, actor=handler, reply="井盖已更换加固，现场已恢复通行。", solved=True
    )
    # a repeat merged by mistake and split again
    at = _day(now, 4, 14)
    third = create("c0", "云溪南路路灯不亮。", at, address="云溪区云溪街道云溪社区云溪南路 6 号")
    traveller.move_to(at + dt.timedelta(minutes=30))
    merging.merge_confirm(actor=operator, ticket_no=third.ticket_no, into_no=primary.ticket_no)
    traveller.move_to(at + dt.timedelta(hours=1))
    merging.merge_split(
        actor=operator, ticket_no=third.ticket_no, reason="核实后为云溪南路另一处路灯，单独派单"
    )
    # two streets, one matter: suggested, the operator must confirm the override
    at = _day(now, 1, 11)
    border = create(
        "d0",
        "东湖路与云溪路交界处的路灯一排都不亮，晚上很黑。",
        at,
        address="云溪区东湖街道东湖社区东湖路 1 号",
    )
    other = create(
        "d1",
        "云溪路和东湖路交界处路灯一排不亮，晚上很黑很危险。",
        at + dt.timedelta(hours=1),
    )
    merging.merge_suggest_on_intake(other)
    out["merged groups"] += 2
    out["merge demo tickets"] += Ticket.objects.filter(
        idempotency_key__startswith="merge-demo-"
    ).count()
    assert border.pk and other.pk


def load(out: Callable[[str], None] = print) -> dict[str, int]:
    try:
        import time_machine
    except ImportError:
        out("hotline joint/merge: skipped: the demo needs the time-machine package (tongban[dev])")
        return {}
    operator = _user(Role.HOTLINE_OPERATOR)
    if operator is None:
        return {}
    created: Counter = Counter()
    now = timezone.now()
    with time_machine.travel(now, tick=False) as traveller, transaction.atomic():
        for spec in JOINT:
            _joint_ticket(spec, now, operator, created, traveller)
        _merged_groups(now, operator, created, traveller)
    swept = merging.merge_sweep(since=now - dt.timedelta(days=3), until=now, now=now)
    if swept:
        created["merge suggestions (sweep)"] += swept
    if created:
        out("hotline joint/merge: " + ", ".join(f"{n} {what}" for what, n in created.items()))
    return dict(created)
