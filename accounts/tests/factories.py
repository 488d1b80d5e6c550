import factory

from accounts.models import Role, User


class RoleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Role
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Role {n}")


class StaffUserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"staff{n}")
    email = factory.LazyAttribute(lambda o: f"{o.username}@staff.example.com")
    first_name = "Staff"
    last_name = factory.Sequence(lambda n: f"Member{n}")
    is_staff = True
    user_type = User.UserType.STAFF
    role = factory.LazyFunction(lambda: Role.objects.get_or_create(name=Role.STAFF)[0])
    password = factory.django.Password("correct horse battery staple")
