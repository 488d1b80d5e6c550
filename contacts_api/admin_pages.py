"""A page of our own inside the admin (a secret shown once, a confirmation), with the
admin's own frame: its site context and the model's options."""

from django.template.response import TemplateResponse


def admin_page(model_admin, request, template: str, title: str, **context) -> TemplateResponse:
    frame = {**model_admin.admin_site.each_context(request), "title": title, "opts": model_admin.model._meta}
    return TemplateResponse(request, template, {**frame, **context})
