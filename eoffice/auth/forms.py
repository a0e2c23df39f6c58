"""Login and password forms (CSRF through Flask-WTF)."""

from flask_wtf import FlaskForm
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired, EqualTo, Length


class LoginForm(FlaskForm):
    username = StringField("Tên đăng nhập", validators=[DataRequired(), Length(max=64)])
    password = PasswordField("Mật khẩu", validators=[DataRequired(), Length(max=256)])


class PasswordForm(FlaskForm):
    current = PasswordField("Mật khẩu hiện tại", validators=[DataRequired()])
    new = PasswordField("Mật khẩu mới", validators=[DataRequired(), Length(min=10, max=256)])
    repeat = PasswordField("Nhập lại mật khẩu mới",
                           validators=[EqualTo("new", message="Hai mật khẩu mới không khớp.")])
