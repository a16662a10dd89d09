from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from xietong.accounts.tests.factories import make_user
from xietong.directory import views
from xietong.directory.tests.network import Network


def _page(client: Client, url: str, **headers: str) -> str:
    """The page's main content (the header names the visitor's own institution)."""
    response = client.get(url, headers=headers)
    assert response.status_code == 200
    html = response.content.decode()
    if "<main" not in html:
        return html
    return html[html.index("<main") : html.index("</main>")]


def test_signed_out_visitors_are_sent_to_sign_in(network: Network, client: Client) -> None:
    for url in (reverse("directory:institutions"), reverse("directory:experts")):
        response = client.get(url)
        assert response.status_code == 302
        assert reverse("accounts:login") in response["Location"]


def test_institution_browser_drills_down_with_breadcrumbs(network: Network, client: Client) -> None:
    client.force_login(make_user("supervisor", institution=network.county_hospital))
    top = _page(client, reverse("directory:institutions"))
    assert "河南省" in top
    city = _page(client, reverse("directory:institutions") + "?region=410100")
    # Breadcrumbs up to the province, the county below with its count, the subtree's list.
    assert 'href="/directory/?region=410000"' in city
    assert '<ol class="breadcrumb">' in city and 'aria-current="page">郑州市</li>' in city
    assert "金桥县" in city and "金桥县康城镇卫生院" in city
    assert "洛阳市协同中心医院" not in city
    filtered = _page(client, reverse("directory:institutions") + "?region=410000&level=municipal")
    assert "郑州市协同中心医院" in filtered and "金桥县人民医院" not in filtered


def test_bad_filters_are_reported_and_unknown_regions_are_404(network: Network,
                                                              client: Client) -> None:  # fmt: skip
    client.force_login(make_user("requester", institution=network.county_hospital))
    page = _page(client, reverse("directory:institutions") + "?level=galactic")
    assert "errorlist" in page
    assert client.get(reverse("directory:institutions") + "?region=999999").status_code == 404


def test_institution_page_shows_departments_experts_and_links(network: Network,
                                                              client: Client) -> None:  # fmt: skip
    client.force_login(make_user("requester", institution=network.county_hospital))
    page = _page(client, reverse("directory:institution", args=[network.provincial.uuid]))
    assert "神经内科" in page and "心血管内科" in page
    assert "张伟" in page and "陈静" in page and "赵停诊" not in page
    county = _page(client, reverse("directory:institution", args=[network.county_hospital.uuid]))
    assert "河南省协同远程医学中心" in county  # serves it for consultation
    assert "金桥县康城镇卫生院" in county  # is served by it


def test_expert_library_filters_and_live_results(network: Network, client: Client) -> None:
    client.force_login(make_user("requester", institution=network.county_hospital))
    page = _page(client, reverse("directory:experts"))
    assert page.index("张伟") < page.index("陈静") < page.index("王芳") < page.index("李强")
    filtered = _page(
        client, reverse("directory:experts") + "?title=chief&institution_level=municipal"
    )
    assert "王芳" in filtered and "张伟" not in filtered
    # Years of practice, institution and level, specialties and what they accept.
    assert "心力衰竭" in filtered and "郑州市协同中心医院" in filtered
    live = _page(client, reverse("directory:experts") + "?specialty=帕金森", HX_Request="true")
    assert "<html" not in live and "李强" in live and "王芳" not in live


def test_nav_and_home_card(network: Network, client: Client) -> None:
    client.force_login(make_user("requester", institution=network.county_hospital))
    home = client.get(reverse("home"), headers={"Accept-Language": "en"}).content.decode()
    assert 'href="/directory/experts/"' in home and 'href="/directory/"' in home
    assert "Find an expert" in home
    client.force_login(make_user("supervisor", institution=network.county_hospital))
    home = client.get(reverse("home"), headers={"Accept-Language": "en"}).content.decode()
    assert 'href="/directory/"' in home  # the navigation, for everyone
    assert "Find an expert" not in home


def test_expert_library_pages(
    network: Network, client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(views, "EXPERTS_PER_PAGE", 3)
    client.force_login(make_user("requester", institution=network.county_hospital))
    second = _page(client, reverse("directory:experts") + "?page=2")
    assert "李强" in second and "张伟" not in second
    assert 'class="pagination' in second and 'href="?page=1" rel="prev"' in second
    # A page past the end shows the last one.
    assert "李强" in _page(client, reverse("directory:experts") + "?page=9")
