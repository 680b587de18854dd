// Optional Event Grid topic for integration events (CloudEvents 1.0). Local (key/SAS) auth is off:
// the app publishes with its managed identity, which gets EventGrid Data Sender on the topic.

@description('Azure region.')
param location string

@description('Tags for every resource.')
param tags object

@description('Event Grid topic name.')
@minLength(3)
@maxLength(50)
param name string

@description('Principal id of the app identity that publishes events.')
param appPrincipalId string

@description('Resource id of the app identity; names the role assignments (known before deployment, unlike the principal id).')
param appIdentityId string

var eventGridDataSenderRoleId = 'd5a91429-5739-47e2-a06b-3470a27159e7'

resource topic 'Microsoft.EventGrid/topics@2025-02-15' = {
  name: name
  location: location
  tags: tags
  properties: {
    inputSchema: 'CloudEventSchemaV1_0'
    disableLocalAuth: true
    publicNetworkAccess: 'Enabled'
    minimumTlsVersionAllowed: '1.2'
  }
}

resource dataSender 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(topic.id, appIdentityId, eventGridDataSenderRoleId)
  scope: topic
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', eventGridDataSenderRoleId)
    principalId: appPrincipalId
    principalType: 'ServicePrincipal'
  }
}

@description('Topic endpoint (EventGrid__TopicEndpoint).')
output endpoint string = topic.properties.endpoint
output name string = topic.name
