"""One table names audit actions and the objects they act on (viewer, CSV, object_label);
English comes from the message catalogue."""

from babel.support import Translations

from eoffice.admin.labels import action_label, object_label
from eoffice.i18n import compiled_translations


def test_actions_and_object_types_are_named_from_one_table(tmp_path):
    assert action_label("outgoing.sign") == "Văn bản đi: Ký số"
    assert object_label("outgoing") == "Văn bản đi"
    assert object_label("register") == "Sổ văn bản"
    assert object_label("something_new") == "something_new"
    english = Translations.load(str(compiled_translations(tmp_path)), ["en"]).gettext
    assert object_label("register", english) == "Registers"
    assert action_label("minutes.sign", english) == "Minutes: Signed"
    assert object_label("something_new", english) == "something_new"
