using 'main.bicep'

// Per-environment values. Deployment-specific values come from environment variables so the same
// file serves every environment and no secret is ever written into the repository:
//   INTERVIEWS_ENV, INTERVIEWS_AUTH_AUTHORITY, INTERVIEWS_AUTH_AUDIENCE, INTERVIEWS_SMTP_HOST, ...
// See infra/README.md for the full list.

param baseName = 'interviews'
param environmentName = readEnvironmentVariable('INTERVIEWS_ENV', 'dev')

param cosmosCapacityMode = readEnvironmentVariable('INTERVIEWS_COSMOS_CAPACITY_MODE', 'Serverless')
param cosmosAutoscaleMaxThroughput = int(readEnvironmentVariable('INTERVIEWS_COSMOS_MAX_RU', '1000'))

param authAuthority = readEnvironmentVariable('INTERVIEWS_AUTH_AUTHORITY', 'https://login.microsoftonline.com/00000000-0000-0000-0000-000000000000/v2.0')
param authAudience = readEnvironmentVariable('INTERVIEWS_AUTH_AUDIENCE', 'api://interviews')

param smtpHost = readEnvironmentVariable('INTERVIEWS_SMTP_HOST', '')
param smtpPort = int(readEnvironmentVariable('INTERVIEWS_SMTP_PORT', '587'))
param smtpSecurity = readEnvironmentVariable('INTERVIEWS_SMTP_SECURITY', 'StartTls')
param smtpUserName = readEnvironmentVariable('INTERVIEWS_SMTP_USERNAME', '')
param smtpPassword = readEnvironmentVariable('INTERVIEWS_SMTP_PASSWORD', '')
param emailFrom = readEnvironmentVariable('INTERVIEWS_EMAIL_FROM', '')

param googleClientId = readEnvironmentVariable('INTERVIEWS_GOOGLE_CLIENT_ID', '')
param googleClientSecret = readEnvironmentVariable('INTERVIEWS_GOOGLE_CLIENT_SECRET', '')
param outlookClientId = readEnvironmentVariable('INTERVIEWS_OUTLOOK_CLIENT_ID', '')
param outlookClientSecret = readEnvironmentVariable('INTERVIEWS_OUTLOOK_CLIENT_SECRET', '')
param calendarOAuthRedirectBaseUrl = readEnvironmentVariable('INTERVIEWS_OAUTH_REDIRECT_BASE_URL', '')

param deployEventGridTopic = bool(readEnvironmentVariable('INTERVIEWS_DEPLOY_EVENT_GRID', 'false'))
param deployApiManagement = bool(readEnvironmentVariable('INTERVIEWS_DEPLOY_APIM', 'false'))
param apiManagementSku = readEnvironmentVariable('INTERVIEWS_APIM_SKU', 'BasicV2')
param apiManagementPublisherEmail = readEnvironmentVariable('INTERVIEWS_APIM_PUBLISHER_EMAIL', 'admin@example.com')
