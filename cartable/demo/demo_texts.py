"""Texts of the demo region: the usage charter and the privacy notice (version 1), in French.

They are data, not interface strings: a region publishes its own charter in its own words, and each
version is kept as it was accepted. That is why they are not marked for translation.
"""

USAGE_CHARTER_TITLE = "Charte d'utilisation de Cartable"
USAGE_CHARTER_BODY = """\
Cartable est l'espace numérique de travail (ENT) des collèges et des lycées de la région. Il réunit en un \
seul lieu le cahier de textes, l'agenda, la messagerie, les notes, la vie scolaire, les documents et les \
actualités de l'établissement. Il est mis à la disposition des élèves, de leurs responsables légaux et des \
personnels pour les besoins de la scolarité, et pour eux seuls.

Votre compte est personnel. Ne communiquez jamais votre mot de passe, pas même à un camarade ou à un \
membre du personnel : aucun service de l'établissement ne vous le demandera. Choisissez une phrase de \
passe longue que vous n'utilisez nulle part ailleurs, et déconnectez-vous sur un ordinateur partagé. Si \
vous pensez que quelqu'un connaît votre mot de passe, changez-le aussitôt et prévenez l'établissement.

Règles de bon usage : chacun s'exprime avec respect et courtoisie. Sont interdits les propos injurieux, \
diffamatoires, discriminatoires ou harcelants, la diffusion de l'image ou des données d'une personne sans \
son accord, la publication de contenus dont vous n'avez pas les droits, et toute tentative d'accéder à un \
compte ou à des données qui ne sont pas les vôtres. L'ENT n'est pas un réseau social : les messages et les \
documents restent liés à la vie de l'établissement.

Les actions importantes (connexions, modifications, consultation de données sensibles par les personnels) \
sont enregistrées dans un journal, afin de garantir la sécurité du service et de pouvoir établir les faits \
en cas d'abus. Le chef d'établissement peut suspendre un compte utilisé contrairement à cette charte, sans \
préjudice des sanctions prévues par le règlement intérieur et par la loi.

Pour toute question sur cette charte, adressez-vous au secrétariat ou à l'administrateur ENT de votre \
établissement. Une nouvelle version de la charte vous sera présentée à votre prochaine connexion et devra \
être acceptée de nouveau.
"""

PRIVACY_NOTICE_TITLE = "Notice de confidentialité"
PRIVACY_NOTICE_BODY = """\
Le responsable du traitement des données de Cartable est la région, qui met l'ENT à la disposition des \
établissements ; chaque chef d'établissement est responsable de l'usage qui en est fait dans son \
établissement. Le traitement a pour base légale la mission d'intérêt public d'éducation confiée aux \
établissements (article 6.1.e du RGPD et Code de l'éducation).

Données conservées et pourquoi : votre identité (nom, prénom, date de naissance des élèves, adresse \
électronique), vos rattachements (établissement, classe, groupes, enfants suivis, matières enseignées), le \
contenu que vous déposez (messages, devoirs, documents) et les informations de scolarité (notes, absences, \
punitions) servent uniquement au suivi de la scolarité et à la communication entre l'établissement et les \
familles. Le journal technique (connexions, modifications) sert à la sécurité du service. Vos préférences \
d'affichage servent à adapter les pages à vos besoins. Aucune donnée n'est vendue, ni utilisée à des fins \
publicitaires.

Durées de conservation : les données de scolarité sont conservées pendant la scolarité dans \
l'établissement, puis un an ; le journal technique est conservé un an ; les notifications six mois après \
leur lecture. À l'issue de ces durées, les données sont supprimées ou rendues anonymes.

Vos droits : vous pouvez accéder à vos données et en obtenir une copie, les faire rectifier, en demander \
l'effacement lorsque la loi le permet, vous opposer à un traitement ou en demander la limitation, et savoir \
quels personnels ont consulté vos données sensibles. Les responsables légaux exercent ces droits pour les \
élèves mineurs, qui peuvent aussi les exercer eux-mêmes.

Contact : pour exercer vos droits ou pour toute question, écrivez au délégué à la protection des données \
(DPO) de la région à l'adresse dpo@region.example, ou adressez-vous au secrétariat de votre établissement. \
Si vous estimez que vos droits ne sont pas respectés, vous pouvez adresser une réclamation à la CNIL \
(www.cnil.fr).
"""
