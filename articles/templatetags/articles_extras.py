from django import template

register = template.Library()


@register.filter
def canonical_url(article, request):
    return article.canonical_url(request)
