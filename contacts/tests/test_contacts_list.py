"""GET /api/v1/contacts: envelope, filters, sort, search, pagination (API.md 1.2, 3.2)."""

import pytest
from django.test import override_settings

from accounts.models import User
from clients.tests.factories import ClientFactory
from contacts.models import Contact
from contacts.tests.factories import ContactFactory
from contacts_api.testing import USING_POSTGRES, envelope_error, run_command

URL = "/api/v1/contacts"
pytestmark = pytest.mark.django_db


def ids(response):
    assert response.status_code == 200, response.content
    return [row["id"] for row in response.json()["data"]]


def test_it_lists_contacts_in_the_envelope_with_the_full_contact_object(api):
    client = ClientFactory(company_name="Analytical Engines Ltd")
    contact = ContactFactory(
        first_name="Ada",
        last_name="Lovelace",
        email="ada@example.com",
        phone="+44 20 7946 0000",
        job_position="CTO",
        client=client,
        twitter="@ada",
    )
    response = api.get(URL)
    assert response.status_code == 200
    created = contact.created_at.isoformat().replace("+00:00", "Z")
    assert response.json() == {
        "success": True,
        "message": "Contacts retrieved successfully.",
        "data": [
            {
                "id": contact.pk,
                "first_name": "Ada",
                "last_name": "Lovelace",
                "name": "Ada Lovelace",
                "email": "ada@example.com",
                "phone": "+44 20 7946 0000",
                "job_position": "CTO",
                "account_owner": "no",
                "status": "active",
                "client": {"id": client.pk, "company_name": "Analytical Engines Ltd"},
                "role": {"id": contact.role_id, "name": "Client"},
                "social": {
                    "linkedin": None,
                    "twitter": "@ada",
                    "facebook": None,
                    "instagram": None,
                    "skype": None,
                },
                "dates": {"created": created, "updated": created},
                "version": 1,
            }
        ],
        "meta": {
            "pagination": {
                "total": 1,
                "total_exact": True,
                "count": 1,
                "per_page": 25,
                "current_page": 1,
                "total_pages": 1,
                "links": {"previous": None, "next": None},
            }
        },
    }


def test_it_answers_with_and_without_a_trailing_slash(api):
    ContactFactory()
    assert ids(api.get(URL)) == ids(api.get(URL + "/"))


def test_it_never_lists_staff_users(api, staff_user):
    contact = ContactFactory()
    assert ids(api.get(URL)) == [contact.pk]


def test_it_hides_soft_deleted_contacts_by_default(api):
    alive = ContactFactory()
    ContactFactory(deleted=True)
    assert ids(api.get(URL)) == [alive.pk]


@pytest.mark.parametrize("status", ["active", "inactive", "deleted"])
def test_it_filters_by_status(api, status):
    rows = {
        "active": ContactFactory(),
        "inactive": ContactFactory(status=User.Status.INACTIVE),
        "deleted": ContactFactory(deleted=True),
    }
    assert ids(api.get(URL, {"status": status})) == [rows[status].pk]


def test_it_filters_by_client_id(api):
    mine = ContactFactory()
    ContactFactory()
    assert ids(api.get(URL, {"client_id": mine.client_id})) == [mine.pk]


def test_an_unknown_client_id_gives_an_empty_list(api):
    ContactFactory()
    assert ids(api.get(URL, {"client_id": 987654})) == []


@pytest.mark.parametrize("flag", ["yes", "no"])
def test_it_filters_by_account_owner(api, flag):
    owner = ContactFactory(is_account_owner=True)
    other = ContactFactory(client=owner.client)
    assert ids(api.get(URL, {"account_owner": flag})) == [owner.pk if flag == "yes" else other.pk]


@pytest.mark.parametrize(
    "param, value",
    [
        ("status", "gone"),
        ("account_owner", "maybe"),
        ("sort", "phone"),
        ("order", "up"),
        ("status", ""),
        ("account_owner", ""),
        ("sort", ""),
        ("order", ""),
        ("client_id", ""),
        ("client_id", "abc"),
        ("client_id", "1.5"),
        ("client_id", "99999999999999999999999"),
        ("search", "x" * 101),
        ("search", "nul\x00byte"),
        ("limit", "0"),
        ("limit", "101"),
        ("limit", "ten"),
        ("page", "0"),
        ("page", "-1"),
        ("page", "1.5"),
        ("after", "-1"),
        ("after", "x"),
    ],
)
def test_a_bad_query_parameter_is_a_422_naming_it(api, param, value):
    response = api.get(URL, {param: value})
    assert envelope_error(response) == (422, "validation_failed")
    body = response.json()
    assert body["message"] == "The given data was invalid."
    assert list(body["errors"]) == [param]


def test_an_empty_search_matches_everything(api):
    contact = ContactFactory()
    assert ids(api.get(URL, {"search": ""})) == [contact.pk]


def test_unknown_parameters_are_ignored(api):
    contact = ContactFactory()
    assert ids(api.get(URL, {"colour": "blue", "format": "xml"})) == [contact.pk]


# --- sort -------------------------------------------------------------------------------


@pytest.mark.parametrize("field", ["first_name", "last_name", "email"])
def test_sorting_on_a_text_field_ignores_case_and_breaks_ties_by_id(api, field):
    values = ["beta", "Alpha", "alpha", "Gamma"]
    rows = []
    for index, value in enumerate(values):
        text = value if field != "email" else f"{value}@x{index}.example.com"
        rows.append(ContactFactory(**{field: text}))
    ascending = ids(api.get(URL, {"sort": field}))
    expected = sorted(rows, key=lambda c: (getattr(c, field).lower(), c.pk))
    assert ascending == [c.pk for c in expected]
    descending = ids(api.get(URL, {"sort": field, "order": "desc"}))
    assert descending == [c.pk for c in reversed(expected)]


def test_ties_in_a_sort_are_ordered_by_id(api):
    rows = [ContactFactory(last_name="Same") for _ in range(3)]
    assert ids(api.get(URL, {"sort": "last_name"})) == [c.pk for c in rows]
    assert ids(api.get(URL, {"sort": "last_name", "order": "desc"})) == [c.pk for c in reversed(rows)]


@pytest.mark.parametrize("sort, field", [("created", "created_at"), ("updated", "updated_at")])
def test_it_sorts_by_dates(api, sort, field):
    rows = [ContactFactory() for _ in range(3)]
    User.objects.filter(pk=rows[0].pk).update(**{field: "2030-01-01T00:00:00Z"})
    User.objects.filter(pk=rows[2].pk).update(**{field: "2020-01-01T00:00:00Z"})
    assert ids(api.get(URL, {"sort": sort})) == [rows[2].pk, rows[1].pk, rows[0].pk]
    assert ids(api.get(URL, {"sort": sort, "order": "desc"})) == [rows[0].pk, rows[1].pk, rows[2].pk]


def test_the_default_order_is_by_id_and_desc_reverses_it(api):
    rows = [ContactFactory() for _ in range(3)]
    assert ids(api.get(URL)) == [c.pk for c in rows]
    assert ids(api.get(URL, {"order": "desc"})) == [c.pk for c in reversed(rows)]


# --- search -----------------------------------------------------------------------------


@pytest.fixture
def people(db):
    return {
        "ada": ContactFactory(
            first_name="Ada", last_name="Lovelace", email="ada@engines.example.com",
            phone="+44 20 7946 0000",
        ),
        "john": ContactFactory(first_name="John", last_name="Smith", email="js@example.com"),
        "bjorn": ContactFactory(first_name="Bjorn", last_name="Borg", email="bb@example.com"),
        "grace": ContactFactory(
            first_name="Grace", last_name="Hopper", email="grace@navy.example.com", phone="555-0199"
        ),
    }


@pytest.mark.parametrize(
    "text, expected",
    [
        ("ada", ["ada"]),
        ("ADA", ["ada"]),
        ("lovel", ["ada"]),
        ("ada love", ["ada"]),
        ("ada hopper", []),
        ("navy.example", ["grace"]),
        ("jo", ["john"]),
        ("j", ["john"]),
        ("orn", ["bjorn"]),
        ("(20) 7946-0000", ["ada"]),
        ("2079460000", ["ada"]),
        ("7946 0000", ["ada"]),
        ("+44 20 7946", ["ada"]),
        ("5550199", ["grace"]),
        ("0199", ["grace"]),
        ("zzz", []),
        ("   ", ["ada", "john", "bjorn", "grace"]),
    ],
)
def test_search_follows_the_contract(api, people, text, expected):
    assert sorted(ids(api.get(URL, {"search": text}))) == sorted(people[n].pk for n in expected)


def test_a_word_never_matches_across_two_fields(api):
    ContactFactory(first_name="Ann", last_name="Abel", email="x@example.com")
    assert ids(api.get(URL, {"search": "nab"})) == []
    assert len(ids(api.get(URL, {"search": "abel"}))) == 1


def test_search_escapes_like_wildcards(api, people):
    assert ids(api.get(URL, {"search": "%"})) == []
    assert ids(api.get(URL, {"search": "a_a"})) == []


def test_search_combines_with_filters(api, people):
    User.objects.filter(pk=people["ada"].pk).update(status="inactive")
    assert ids(api.get(URL, {"search": "ada", "status": "active"})) == []
    assert ids(api.get(URL, {"search": "ada", "status": "inactive"})) == [people["ada"].pk]


# --- pagination --------------------------------------------------------------------------


def test_pages_carry_meta_and_links_that_keep_other_parameters(api):
    rows = [ContactFactory(last_name="Page") for _ in range(5)]
    response = api.get(URL, {"limit": 2, "page": 2, "search": "page"})
    body = response.json()
    assert [r["id"] for r in body["data"]] == [rows[2].pk, rows[3].pk]
    pagination = body["meta"]["pagination"]
    assert pagination == {
        "total": 5,
        "total_exact": True,
        "count": 2,
        "per_page": 2,
        "current_page": 2,
        "total_pages": 3,
        "links": {
            "previous": "http://testserver/api/v1/contacts?limit=2&page=1&search=page",
            "next": "http://testserver/api/v1/contacts?limit=2&page=3&search=page",
        },
    }


def test_next_is_null_exactly_on_the_last_page(api):
    for _ in range(4):
        ContactFactory()
    assert api.get(URL, {"limit": 2, "page": 1}).json()["meta"]["pagination"]["links"]["next"]
    last = api.get(URL, {"limit": 2, "page": 2}).json()["meta"]["pagination"]
    assert last["links"]["next"] is None
    assert last["total_pages"] == 2


def test_a_page_past_the_end_is_empty_with_the_true_total(api):
    for _ in range(3):
        ContactFactory()
    body = api.get(URL, {"limit": 2, "page": 9}).json()
    assert body["data"] == []
    assert body["meta"]["pagination"]["total"] == 3
    assert body["meta"]["pagination"]["count"] == 0


def test_an_absurdly_large_page_is_an_empty_page(api):
    ContactFactory()
    body = api.get(URL, {"page": "9" * 40}).json()
    assert body["data"] == []
    assert body["meta"]["pagination"]["total"] == 1


@pytest.mark.parametrize("limit", [1, 100])
def test_limit_accepts_its_bounds(api, limit):
    ContactFactory()
    assert api.get(URL, {"limit": limit}).json()["meta"]["pagination"]["per_page"] == limit


def test_after_walks_every_row_in_id_order(api):
    rows = [ContactFactory(client=None) for _ in range(5)]
    seen, url = [], f"{URL}?limit=2&after=0"
    while url:
        body = api.get(url).json()
        seen += [r["id"] for r in body["data"]]
        assert body["meta"]["pagination"]["total"] == 5
        assert body["meta"]["pagination"]["current_page"] is None
        url = body["meta"]["pagination"]["links"]["next"]
    assert seen == [c.pk for c in rows]


def test_after_combines_with_filters_and_search(api):
    rows = [ContactFactory(last_name="Keyset") for _ in range(3)]
    ContactFactory(last_name="Other")
    assert ids(api.get(URL, {"after": rows[0].pk, "search": "keyset"})) == [rows[1].pk, rows[2].pk]


@pytest.mark.parametrize("other", [{"sort": "email"}, {"order": "desc"}, {"page": "2"}])
def test_after_cannot_be_combined_with_sort_order_or_page(api, other):
    response = api.get(URL, {"after": 1, **other})
    assert envelope_error(response) == (422, "validation_failed")
    assert list(response.json()["errors"]) == ["after"]


@override_settings(API_EXACT_COUNT_LIMIT=3)
def test_a_total_above_the_exact_limit_may_be_an_estimate_and_says_so(api):
    ContactFactory.create_batch(5)
    pagination = api.get(URL, {"limit": 1}).json()["meta"]["pagination"]
    # SQLite counts every row; PostgreSQL estimates from a sample (here the whole small
    # table) and says that it is an estimate.
    assert pagination["total"] == 5
    assert pagination["total_exact"] is (not USING_POSTGRES)


@override_settings(API_EXACT_COUNT_LIMIT=3)
def test_a_total_at_or_below_the_exact_limit_is_always_exact(api):
    ContactFactory.create_batch(3)
    ContactFactory(deleted=True)
    pagination = api.get(URL, {"limit": 1}).json()["meta"]["pagination"]
    assert (pagination["total"], pagination["total_exact"]) == (3, True)


@pytest.mark.parametrize("limit", [1, 100])
def test_a_list_runs_the_key_lookup_the_count_and_the_page(api, django_assert_num_queries, limit):
    ContactFactory.create_batch(3, last_name="Counted")
    api.get(URL)  # last_used_at is written at most once a minute
    with django_assert_num_queries(3):
        assert len(ids(api.get(URL, {"limit": limit, "search": "counted"}))) == min(limit, 3)


@override_settings(API_EXACT_COUNT_LIMIT=2)
def test_a_list_over_the_exact_limit_runs_no_more_queries(api, django_assert_num_queries):
    ContactFactory.create_batch(4, last_name="Counted")
    api.get(URL)
    with django_assert_num_queries(3):  # the estimate is part of the count statement
        assert len(ids(api.get(URL, {"search": "counted"}))) == 4


def test_a_page_past_the_end_is_known_from_the_count_alone(api, django_assert_num_queries):
    ContactFactory.create_batch(2)
    api.get(URL)
    with django_assert_num_queries(2):
        body = api.get(URL, {"page": 5}).json()
    assert (body["data"], body["meta"]["pagination"]["total"]) == ([], 2)


@override_settings(API_EXACT_COUNT_LIMIT=3)
@pytest.mark.parametrize("params", [{}, {"sort": "last_name", "order": "desc"}])
def test_every_page_is_right_past_the_first_counted_rows(api, params):
    rows = [ContactFactory(last_name=f"Name{index % 3}") for index in range(8)]
    seen = []
    for page in (1, 2, 3, 4):
        body = api.get(URL, {"limit": 2, "page": page, **params}).json()
        seen += [r["id"] for r in body["data"]]
        assert body["meta"]["pagination"]["total"] == 8
    expected = sorted(rows, key=lambda c: (c.last_name.lower(), c.pk), reverse=True) if params else rows
    assert seen == [c.pk for c in expected]


@override_settings(API_EXACT_COUNT_LIMIT=3)
def test_after_walks_past_the_first_counted_rows(api):
    rows = [ContactFactory() for _ in range(7)]
    seen, url = [], f"{URL}?limit=2&after=0"
    while url:
        body = api.get(url).json()
        seen += [r["id"] for r in body["data"]]
        url = body["meta"]["pagination"]["links"]["next"]
    assert seen == [c.pk for c in rows]


def test_a_write_is_seen_by_the_next_list_at_once(api, tmp_path):
    first = ContactFactory(first_name="Before", email="one@example.com")
    assert ids(api.get(URL, {"search": "before"})) == [first.pk]
    created = api.post(
        URL, {"first_name": "Before", "last_name": "B", "email": "b2@example.com", "clientid": first.client_id},
        format="json",
    ).json()["data"]
    assert ids(api.get(URL, {"search": "before"})) == [first.pk, created["id"]]
    api.patch(f"{URL}/{first.pk}", {"first_name": "After"}, format="json")
    assert ids(api.get(URL, {"search": "before"})) == [created["id"]]
    api.delete(f"{URL}/{created['id']}")
    assert ids(api.get(URL, {"search": "before"})) == []
    api.post(f"{URL}/{first.pk}/set-account-owner")
    assert ids(api.get(URL, {"account_owner": "yes"})) == [first.pk]
    path = tmp_path / "c.csv"
    path.write_text(f"first_name,last_name,email,client_id\nBefore,C,c3@example.com,{first.client_id}\n")
    run_command("import_contacts", str(path))
    assert len(ids(api.get(URL, {"search": "before"}))) == 1


def test_rows_changed_by_a_queryset_update_are_listed_at_once(api):
    rows = ContactFactory.create_batch(2)
    assert ids(api.get(URL, {"status": "inactive"})) == []
    Contact.objects.filter(pk__in=[c.pk for c in rows]).update(status=User.Status.INACTIVE)  # no signal
    body = api.get(URL, {"status": "inactive"}).json()
    assert [r["id"] for r in body["data"]] == [c.pk for c in rows]
    assert (body["meta"]["pagination"]["total"], body["meta"]["pagination"]["total_exact"]) == (2, True)


def test_rows_inserted_in_bulk_are_counted_at_once(api):
    client = ClientFactory()
    ContactFactory(client=client)
    assert api.get(URL, {"client_id": client.pk}).json()["meta"]["pagination"]["total"] == 1
    Contact.objects.bulk_create(
        [Contact(email=f"bulk{i}@example.com", user_type=User.UserType.CLIENT, client=client) for i in range(3)]
    )
    pagination = api.get(URL, {"client_id": client.pk}).json()["meta"]["pagination"]
    assert (pagination["total"], pagination["count"], pagination["total_exact"]) == (4, 4, True)


def test_deleting_a_client_empties_its_list_at_once(api):
    client = ClientFactory()
    ContactFactory.create_batch(2, client=client)
    assert len(ids(api.get(URL, {"client_id": client.pk}))) == 2
    client_id = client.pk
    client.delete()  # its contacts' client becomes NULL in the database, without a signal
    body = api.get(URL, {"client_id": client_id}).json()
    assert (body["data"], body["meta"]["pagination"]["total"]) == ([], 0)
