import factory

from clients.models import Client


class ClientFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Client

    company_name = factory.Sequence(lambda n: f"Company {n} Ltd")
    email = factory.Sequence(lambda n: f"office{n}@company.example.com")
    phone = "+44 20 7946 0000"
    website = "https://company.example.com"
