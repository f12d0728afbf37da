"""Every form page uses the one wrapper (templates/includes/form.html): errors, fields, Save, and
a Cancel back to where the user came from."""

from django.urls import reverse

from tests.conftest import make_learner


def cancel_href(response) -> str:
    html = response.content.decode()
    actions = html[html.index('<div class="actions">') :]
    return actions.split('<a href="', 1)[1].split('"', 1)[0]


def test_editing_goes_back_to_the_record_and_creating_to_the_list(admin_client, organization):
    learner = make_learner(organization)

    edit = admin_client.get(reverse("learners:edit", args=[learner.pk]))
    new = admin_client.get(reverse("training:course_create"))

    assert cancel_href(edit) == reverse("learners:detail", args=[learner.pk])
    assert cancel_href(new) == reverse("training:course_list")


def test_the_wrapper_shows_the_error_next_to_the_field_and_keeps_what_was_typed(admin_client):
    response = admin_client.post(reverse("learners:create"), {"last_name": "Durand"})

    html = response.content.decode()
    assert response.status_code == 200
    assert 'value="Durand"' in html
    first_name_field = html[html.index('for="id_first_name"') :][:600]
    assert 'class="error"' in first_name_field
