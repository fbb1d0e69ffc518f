# The missing child action plan, its actions, reviews and update; return visits; judgements
# that the child is vulnerable (issue 15, DOMAIN.md section 5a).

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def _user(related_name="+", null=True, blank=False):
    return models.ForeignKey(blank=blank, null=null, on_delete=django.db.models.deletion.PROTECT,
                             related_name=related_name, to=settings.AUTH_USER_MODEL)


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('episodes', '0005_report_indexes'),
        ('interviews', '0002_casework_history'),
        ('meetings', '0002_action_done'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='ActionPlan',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('created_at', models.DateTimeField(auto_now_add=True, db_index=True)),
                ('updated_at', models.DateTimeField(auto_now=True)),
                ('agreed_at', models.DateTimeField(help_text='When the plan was agreed.')),
                ('contact_by', models.CharField(help_text='Who keeps contact with the child.', max_length=200)),
                ('contact_how', models.TextField(
                    help_text='How (phone, messages, social media), as agreed by the network.')),
                ('family_told', models.TextField(help_text='What the family is told.')),
                ('family_how_often', models.CharField(help_text='How often the family is updated.', max_length=200)),
                ('return_who_sees', models.CharField(help_text='Who sees the child when they are found.',
                                                     max_length=200)),
                ('return_where', models.CharField(blank=True, help_text='Where the child is seen.', max_length=200)),
                ('return_interviewer', models.CharField(
                    help_text='Who is best placed to do the return home interview.', max_length=200)),
                ('episode', models.OneToOneField(on_delete=django.db.models.deletion.PROTECT,
                                                 related_name='action_plan', to='episodes.episode')),
                ('recorded_by', _user()),
            ],
            options={
                'abstract': False,
            },
        ),
        migrations.CreateModel(
            name='PlanReview',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('created_at', models.DateTimeField(auto_now_add=True, db_index=True)),
                ('updated_at', models.DateTimeField(auto_now=True)),
                ('changes', models.TextField(help_text='What the meeting changed in the plan, or that it stands.')),
                ('meeting', models.OneToOneField(on_delete=django.db.models.deletion.PROTECT,
                                                 related_name='plan_review', to='meetings.strategymeeting')),
                ('plan', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='reviews',
                                           to='plans.actionplan')),
                ('recorded_by', _user()),
            ],
            options={
                'abstract': False,
            },
        ),
        migrations.CreateModel(
            name='PlanAction',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('owner', models.CharField(max_length=200)),
                ('description', models.TextField()),
                ('due', models.DateField(blank=True, null=True)),
                ('done_at', models.DateTimeField(blank=True, help_text='When it was done.', null=True)),
                ('done_recorded_at', models.DateTimeField(blank=True, help_text='When it was marked done.',
                                                          null=True)),
                ('done_note', models.TextField(blank=True)),
                ('done_by', _user(blank=True)),
                ('owner_user', _user(related_name='plan_actions', blank=True)),
                ('plan', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='actions',
                                           to='plans.actionplan')),
                ('review', models.ForeignKey(blank=True, help_text='The review that added it, if not the plan.',
                                             null=True, on_delete=django.db.models.deletion.PROTECT,
                                             related_name='actions', to='plans.planreview')),
            ],
            options={
                'ordering': ['plan', 'id'],
            },
        ),
        migrations.CreateModel(
            name='PlanUpdate',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('created_at', models.DateTimeField(auto_now_add=True, db_index=True)),
                ('updated_at', models.DateTimeField(auto_now=True)),
                ('revised_at', models.DateTimeField(help_text='When the plan was updated.')),
                ('risk_analysis', models.TextField(help_text='The updated risk analysis.')),
                ('safety_plan', models.TextField(help_text='The updated safety plan.')),
                ('what_changed', models.TextField(help_text='What changed, from what the interview found.')),
                ('episode', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT,
                                              related_name='plan_updates', to='episodes.episode')),
                ('interview', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT,
                                                related_name='plan_updates', to='interviews.returninterview')),
                ('recorded_by', _user()),
            ],
            options={
                'ordering': ['episode', 'revised_at', 'id'],
            },
        ),
        migrations.CreateModel(
            name='ReturnVisit',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('created_at', models.DateTimeField(auto_now_add=True, db_index=True)),
                ('updated_at', models.DateTimeField(auto_now=True)),
                ('visited_at', models.DateTimeField()),
                ('visited_by', models.CharField(help_text='Who visited.', max_length=200)),
                ('discussed_episode', models.TextField(help_text='What was discussed about the missing episode.')),
                ('prevention', models.TextField(help_text='What can be done to prevent another episode.')),
                ('outcome', models.TextField(help_text='The outcome of the visit.')),
                ('parental_responsibility_informed_at', models.DateTimeField(blank=True, null=True)),
                ('parental_responsibility_informed', models.TextField(
                    blank=True, help_text='Who with parental responsibility was told of the episode, the visit and '
                                          'its outcome, and how.')),
                ('episode', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT,
                                              related_name='return_visits', to='episodes.episode')),
                ('recorded_by', _user()),
            ],
            options={
                'ordering': ['episode', 'visited_at', 'id'],
            },
        ),
        migrations.CreateModel(
            name='VulnerabilityJudgement',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('created_at', models.DateTimeField(auto_now_add=True, db_index=True)),
                ('updated_at', models.DateTimeField(auto_now=True)),
                ('judged_at', models.DateTimeField()),
                ('reason', models.TextField()),
                ('episode', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT,
                                              related_name='vulnerability_judgements', to='episodes.episode')),
                ('judged_by', _user()),
            ],
            options={
                'ordering': ['episode', 'judged_at', 'id'],
            },
        ),
    ]
