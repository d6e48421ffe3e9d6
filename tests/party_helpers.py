"""Building party data for tests through the services."""

import datetime

from liangxin.party import services
from liangxin.party.models import Instructor, Member

from .conftest import org_values

DAY = datetime.date(2024, 1, 1)


def make_party_org(cast, name="测试党支部", parent=None, covered=(), mode="single", org_type="branch", **values):
    return services.create_party_org(
        cast.city_admin,
        name=name,
        parent=parent or cast.nanjing_node,
        values={"org_type": org_type, "setup_mode": mode, **values},
        covered=list(covered),
        on=DAY,
    )


_serial = iter(range(1, 10_000))


def id_number(birth="19900101") -> str:
    from stdnum.cn import ric

    body = f"310101{birth}{next(_serial) % 1000:03d}"
    return body + ric.calc_check_digit(body + "0")


def make_member(cast, party_org, name="张三", employer=None, category="full", **values):
    defaults = {
        "name": name,
        "party_org": party_org,
        "category": category,
        "joined_on": datetime.date(2015, 7, 1),
        "full_on": datetime.date(2016, 7, 1) if category == "full" else None,
        "employer": employer,
    }
    defaults.update(values)
    return services.save_member(cast.city_admin, Member(), defaults, id_number())


def make_instructor(cast, name="李指导"):
    return Instructor.objects.create(name=name, node=cast.nanjing_node)


def new_org(cast, name, code, **overrides):
    from liangxin.orgs import services as org_services

    return org_services.create_organization(cast.city_admin, org_values(cast, name=name, credit_code=code, **overrides))
