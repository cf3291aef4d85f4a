import factory
from django.core.files.base import ContentFile

from apps.core.models import Job
from tests.factories import UserFactory


class JobFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Job

    task = "reports.generate"
    title = factory.Sequence(lambda n: f"Report {n}")
    queue = "high"
    requested_by = factory.SubFactory(UserFactory)
    params = factory.LazyFunction(lambda: {"report": "below_reorder_level", "file_format": "csv"})

    class Params:
        with_file = factory.Trait(
            status=Job.Status.SUCCEEDED,
            result_file=factory.LazyAttribute(lambda job: ContentFile(b"code,name\r\nFAB1,Poplin\r\n", name="r.csv")),
        )
