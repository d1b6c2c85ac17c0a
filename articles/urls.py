from django.urls import path

from . import views

app_name = "articles"

urlpatterns = [
    path("", views.HomeView.as_view(), name="home"),
    path("story/<str:slug>/", views.ArticleDetailView.as_view(), name="detail"),
    path("section/<slug:slug>/", views.SectionView.as_view(), name="section"),
    path("tag/<str:slug>/", views.TagView.as_view(), name="tag"),
    path("author/<str:slug>/", views.AuthorView.as_view(), name="author"),
    path("speaker/<str:slug>/", views.SpeakerView.as_view(), name="speaker"),
]
