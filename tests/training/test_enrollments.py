from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from tests.conftest import (
    make_allocation,
    make_enrollment,
    make_learner,
    make_session,
)
from training import services
from training.models import Enrollment

pytestmark = pytest.mark.django_db


def test_detail_lists_enrolled_learners(admin_client, organization):
    session = make_session(organization, hours=Decimal("14"))
    present = make_learner(organization, last_name="Martin")
    partial = make_learner(organization, last_name="Bernard")
    gone = make_learner(organization, last_name="Petit")
    make_enrollment(session, present, trainee_type_override="c")
    make_enrollment(session, partial, hours_attended=Decimal("3.5"))
    make_enrollment(session, gone, outcome="cancelled")
    response = admin_client.get(reverse("training:session_detail", args=[session.pk]))
    assert response.status_code == 200
    text = response.text
    assert reverse("learners:detail", args=[present.pk]) in text
    assert "Martin" in text and "Bernard" in text and "Petit" in text
    assert ">14<" in text and ">3.50<" in text
    assert "Cancelled" in text
    assert "c — Job seekers" in text


def test_detail_query_count_is_fixed(admin_client, organization, django_assert_max_num_queries):
    session = make_session(organization)
    for _ in range(30):
        make_enrollment(session)
    # The attendance section adds two: the schedule's slots and the session's trainers.
    with django_assert_max_num_queries(12):
        response = admin_client.get(reverse("training:session_detail", args=[session.pk]))
    assert response.status_code == 200


def test_enrol_a_learner(admin_client, organization):
    session = make_session(organization)
    learner = make_learner(organization)
    response = admin_client.post(
        reverse("training:enrollment_create", args=[session.pk]), {"learner": learner.pk}
    )
    assert response.status_code == 302
    enrollment = Enrollment.objects.get(session=session, learner=learner)
    assert enrollment.organization == organization


def test_enrolling_twice_gives_a_clear_error(admin_client, organization):
    session = make_session(organization)
    learner = make_learner(organization)
    make_enrollment(session, learner)
    response = admin_client.post(
        reverse("training:enrollment_create", args=[session.pk]), {"learner": learner.pk}
    )
    assert response.status_code == 200
    assert response.context["enroll_form"].errors["learner"] == [
        "This learner is already enrolled in this session."
    ]
    assert "This learner is already enrolled in this session." in response.text
    assert Enrollment.objects.filter(session=session).count() == 1


def test_enrolling_another_organisations_learner_is_an_invalid_choice(
    admin_client, organization, other_organization
):
    session = make_session(organization)
    stranger = make_learner(other_organization)
    response = admin_client.post(
        reverse("training:enrollment_create", args=[session.pk]), {"learner": stranger.pk}
    )
    assert "Select a valid choice" in response.context["enroll_form"].errors["learner"][0]
    assert not Enrollment.objects.exists()


def test_enrolling_in_another_organisations_session_is_404(
    admin_client, organization, other_organization
):
    session = make_session(other_organization)
    learner = make_learner(organization)
    response = admin_client.post(
        reverse("training:enrollment_create", args=[session.pk]), {"learner": learner.pk}
    )
    assert response.status_code == 404
    assert not Enrollment.objects.exists()


def test_enrollment_writes_are_admin_only(trainer_client, organization):
    session = make_session(organization)
    learner = make_learner(organization)
    enrollment = make_enrollment(session)
    create_url = reverse("training:enrollment_create", args=[session.pk])
    edit_url = reverse("training:enrollment_edit", args=[enrollment.pk])
    delete_url = reverse("training:enrollment_delete", args=[enrollment.pk])
    assert trainer_client.post(create_url, {"learner": learner.pk}).status_code == 403
    assert trainer_client.get(edit_url).status_code == 403
    assert trainer_client.post(edit_url, {"outcome": "cancelled"}).status_code == 403
    assert trainer_client.post(delete_url).status_code == 403
    assert Enrollment.objects.count() == 1
    assert not Enrollment.objects.get().is_cancelled


def test_enrollment_pages_need_login_and_the_right_organisation(
    client, client_for, other_admin_user, organization
):
    enrollment = make_enrollment(make_session(organization))
    edit_url = reverse("training:enrollment_edit", args=[enrollment.pk])
    delete_url = reverse("training:enrollment_delete", args=[enrollment.pk])
    assert client.get(edit_url)["Location"].startswith(reverse("login"))
    assert client.post(delete_url)["Location"].startswith(reverse("login"))
    stranger = client_for(other_admin_user)
    assert stranger.get(edit_url).status_code == 404
    assert stranger.post(delete_url).status_code == 404
    assert Enrollment.objects.filter(pk=enrollment.pk).exists()


def test_delete_needs_post(admin_client, organization):
    enrollment = make_enrollment(make_session(organization))
    url = reverse("training:enrollment_delete", args=[enrollment.pk])
    assert admin_client.get(url).status_code == 405
    assert Enrollment.objects.filter(pk=enrollment.pk).exists()


def test_edit_enrollment(admin_client, organization):
    enrollment = make_enrollment(make_session(organization))
    response = admin_client.post(
        reverse("training:enrollment_edit", args=[enrollment.pk]),
        {"hours_attended": "10,5", "outcome": "cancelled", "trainee_type_override": "d"},
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("training:session_detail", args=[enrollment.session_id])
    enrollment.refresh_from_db()
    assert enrollment.hours_attended == Decimal("10.5")
    assert enrollment.outcome == "cancelled" and enrollment.trainee_type_override == "d"


def test_edit_enrollment_rejects_negative_hours_and_keeps_input(admin_client, organization):
    enrollment = make_enrollment(make_session(organization))
    response = admin_client.post(
        reverse("training:enrollment_edit", args=[enrollment.pk]),
        {"hours_attended": "-1", "trainee_type_override": "z"},
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert errors["hours_attended"] == ["Hours cannot be negative."]
    assert "trainee_type_override" in errors
    assert 'value="-1"' in response.text
    enrollment.refresh_from_db()
    assert enrollment.hours_attended is None


def test_un_enrol(admin_client, organization):
    enrollment = make_enrollment(make_session(organization))
    response = admin_client.post(
        reverse("training:enrollment_delete", args=[enrollment.pk]), follow=True
    )
    assert response.redirect_chain[-1][0] == reverse(
        "training:session_detail", args=[enrollment.session_id]
    )
    assert "un-enrolled" in response.text
    assert not Enrollment.objects.filter(pk=enrollment.pk).exists()


def test_un_enrol_button_asks_for_confirmation(admin_client, organization):
    enrollment = make_enrollment(make_session(organization))
    response = admin_client.get(reverse("training:session_detail", args=[enrollment.session_id]))
    assert "data-confirm=" in response.text
    assert reverse("training:enrollment_delete", args=[enrollment.pk]) in response.text


def test_un_enrolling_a_funded_learner_is_refused(admin_client, organization):
    enrollment = make_enrollment(make_session(organization))
    make_allocation(enrollment)
    response = admin_client.post(
        reverse("training:enrollment_delete", args=[enrollment.pk]), follow=True
    )
    assert "cannot be un-enrolled" in response.text
    assert "Set the enrollment&#x27;s outcome to Cancelled instead" in response.text
    assert Enrollment.objects.filter(pk=enrollment.pk).exists()


# The services, called directly (as seed commands and other modules do).


def test_service_refuses_objects_of_another_organisation(organization, other_organization):
    session = make_session(organization)
    stranger = make_learner(other_organization)
    with pytest.raises(ValidationError):
        services.enrollment_create(organization=organization, session=session, learner=stranger)
    enrollment = make_enrollment(session)
    with pytest.raises(ValidationError):
        services.enrollment_delete(organization=other_organization, enrollment=enrollment)
    with pytest.raises(ValidationError):
        services.enrollment_update(
            organization=other_organization,
            enrollment=enrollment,
            hours_attended=None,
            outcome="cancelled",
            trainee_type_override="",
        )
    assert not Enrollment.objects.filter(learner=stranger).exists()
    enrollment.refresh_from_db()
    assert not enrollment.is_cancelled


def test_service_duplicate_is_a_field_error(organization):
    session = make_session(organization)
    learner = make_learner(organization)
    services.enrollment_create(organization=organization, session=session, learner=learner)
    with pytest.raises(ValidationError) as raised:
        services.enrollment_create(organization=organization, session=session, learner=learner)
    assert raised.value.message_dict == {
        "learner": ["This learner is already enrolled in this session."]
    }


def test_service_validates_hours(organization):
    enrollment = make_enrollment(make_session(organization))
    with pytest.raises(ValidationError) as raised:
        services.enrollment_update(
            organization=organization,
            enrollment=enrollment,
            hours_attended=Decimal("-1"),
            outcome="enrolled",
            trainee_type_override="",
        )
    assert "hours_attended" in raised.value.message_dict


def test_enrol_suggestions_offer_matching_learners_not_yet_enrolled(admin_client, organization):
    session = make_session(organization)
    enrolled = make_learner(organization, first_name="Camille", last_name="Martin")
    make_enrollment(session, enrolled)
    candidate = make_learner(organization, first_name="Claire", last_name="Martinez")
    make_learner(organization, first_name="Hugo", last_name="Bernard")
    url = reverse("training:enrollment_suggestions", args=[session.pk])
    response = admin_client.get(url, {"learner_q": "mart"}, headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert "<html" not in response.text
    assert [learner.pk for learner in response.context["suggestions"]] == [candidate.pk]
    assert "Enrol Claire Martinez" in response.text


def test_session_page_lists_suggestions_without_javascript(admin_client, organization):
    session = make_session(organization)
    make_learner(organization, first_name="Claire", last_name="Martinez")
    page = admin_client.get(reverse("training:session_detail", args=[session.pk]))
    assert "Enrol Claire Martinez" not in page.text  # nothing listed before a search
    page = admin_client.get(
        reverse("training:session_detail", args=[session.pk]), {"learner_q": "claire"}
    )
    assert "Enrol Claire Martinez" in page.text


def test_enrol_suggestions_are_bounded_and_scoped(
    admin_client, organization, other_organization, django_assert_max_num_queries
):
    session = make_session(organization)
    for _ in range(15):
        make_learner(organization, last_name="Durand")
    make_learner(other_organization, last_name="Durand", first_name="Étranger")
    url = reverse("training:enrollment_suggestions", args=[session.pk])
    with django_assert_max_num_queries(6):
        response = admin_client.get(url, {"learner_q": "durand"})
    assert len(response.context["suggestions"]) == 10
    assert "Étranger" not in response.text


def test_enrol_suggestions_access(client, client_for, trainer_user, other_admin_user, organization):
    session = make_session(organization)
    url = reverse("training:enrollment_suggestions", args=[session.pk])
    assert client.get(url).status_code == 302  # anonymous: to the login page
    assert client_for(trainer_user).get(url, {"learner_q": "a"}).status_code == 403
    assert client_for(other_admin_user).get(url, {"learner_q": "a"}).status_code == 404
