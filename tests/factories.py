import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ["username"]
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda user: f"{user.username}@example.com")
    password = factory.django.Password("s3cret-pass!")

    @factory.post_generation
    def roles(self, create, extracted, **kwargs):
        """UserFactory(roles=["merchandiser"]) puts the user in those role groups."""
        if create and extracted:
            self.groups.add(*Group.objects.filter(name__in=extracted))
