"""One table names audit actions and the objects they act on (viewer, CSV, object_label)."""

from eoffice.admin.labels import action_label, object_label


def test_actions_and_object_types_are_named_from_one_table():
    assert action_label("outgoing.sign") == "Văn bản đi: Ký số"
    assert object_label("outgoing") == "Văn bản đi"
    assert object_label("register") == "Sổ văn bản"
    assert object_label("register", "en") == "Register"
    assert action_label("minutes.sign", "en") == "Minutes: Signed"
    assert object_label("something_new") == "something_new"
