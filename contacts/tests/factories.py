import factory
from django.utils import timezone

from accounts.models import Role, User
from clients.tests.factories import ClientFactory
from contacts.models import Contact


class ContactFactory(factory.django.DjangoModelFactory):
    """A living contact of a client; pass `deleted=True` for a soft-deleted one."""

    class Meta:
        model = Contact

    class Params:
        deleted = factory.Trait(
            status=User.Status.DELETED,
            deleted_at=factory.LazyFunction(timezone.now),
        )

    first_name = factory.Sequence(lambda n: f"First{n}")
    last_name = factory.Sequence(lambda n: f"Last{n}")
    email = factory.LazyAttribute(lambda o: f"{o.first_name}.{o.last_name}@contacts.example.com".lower())
    client = factory.SubFactory(ClientFactory)
    role = factory.LazyFunction(lambda: Role.objects.get_or_create(name=Role.CLIENT)[0])
    phone = None
    user_type = User.UserType.CLIENT
    status = User.Status.ACTIVE
