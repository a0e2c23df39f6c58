"""Login and password forms (CSRF through Flask-WTF)."""

from flask_wtf import FlaskForm
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired, EqualTo, Length

from eoffice.i18n import N_


class LoginForm(FlaskForm):
    username = StringField(N_("Tên đăng nhập"), validators=[DataRequired(), Length(max=64)])
    password = PasswordField(N_("Mật khẩu"), validators=[DataRequired(), Length(max=256)])


class PasswordForm(FlaskForm):
    current = PasswordField(N_("Mật khẩu hiện tại"), validators=[DataRequired()])
    new = PasswordField(N_("Mật khẩu mới"), validators=[DataRequired(), Length(min=10, max=256)])
    repeat = PasswordField(N_("Nhập lại mật khẩu mới"),
                           validators=[EqualTo("new", message=N_("Hai mật khẩu mới không khớp."))])
