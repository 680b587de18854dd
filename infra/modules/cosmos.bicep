// Cosmos DB for NoSQL: account, database and containers. The containers come from the one shared
// definition file infra/cosmos/containers.json (main.bicep loads it and passes it here), which the
// application embeds too, so the two cannot drift. Keys are disabled: the app authenticates with
// its managed identity and the Cosmos DB Built-in Data Contributor data-plane role.

@description('Azure region.')
param location string

@description('Tags for every resource.')
param tags object

@description('Cosmos DB account name (3-44 lowercase letters, digits and hyphens).')
@minLength(3)
@maxLength(44)
param accountName string

@description('Serverless (pay per request, default) or provisioned throughput with autoscale on the database, shared by its containers.')
@allowed([
  'Serverless'
  'ProvisionedAutoscale'
])
param capacityMode string

@description('Autoscale maximum RU/s of the database when capacityMode is ProvisionedAutoscale (scales between 10% and 100% of it).')
@minValue(1000)
@maxValue(1000000)
param autoscaleMaxThroughput int

@description('The database and its containers, as loaded from infra/cosmos/containers.json.')
param containerSet containerSetDefinition

@description('Principal id of the app identity that gets the Cosmos DB Built-in Data Contributor role.')
param appPrincipalId string

@description('Resource id of the app identity; names the role assignments (known before deployment, unlike the principal id).')
param appIdentityId string

@export()
@description('One container of infra/cosmos/containers.json.')
type containerDefinition = {
  @description('Container id.')
  name: string
  @description('Partition key path, e.g. /userId.')
  partitionKeyPath: string
  @description('-1: TTL on, items expire only with their own ttl; null: TTL off; n > 0: items expire n seconds after their last write.')
  defaultTtl: int?
  @description('Cosmos DB indexing policy, in the same JSON shape the REST API and the SDK use.')
  indexingPolicy: object
}

@export()
@description('The shape of infra/cosmos/containers.json.')
type containerSetDefinition = {
  databaseName: string
  containers: containerDefinition[]
}

@description('The object without its null-valued top-level properties.')
func withoutNulls(o object) object => toObject(filter(items(o), p => p.value != null), p => p.key, p => p.value)

var isServerless = capacityMode == 'Serverless'

// Cosmos DB Built-in Data Contributor (data plane, not Azure RBAC).
var dataContributorRoleDefinitionId = '00000000-0000-0000-0000-000000000002'

resource account 'Microsoft.DocumentDB/databaseAccounts@2025-04-15' = {
  name: accountName
  location: location
  tags: tags
  kind: 'GlobalDocumentDB'
  properties: {
    databaseAccountOfferType: 'Standard'
    locations: [
      {
        locationName: location
        failoverPriority: 0
        isZoneRedundant: false
      }
    ]
    consistencyPolicy: {
      defaultConsistencyLevel: 'Session'
    }
    capabilities: isServerless ? [{ name: 'EnableServerless' }] : []
    disableLocalAuth: true
    disableKeyBasedMetadataWriteAccess: true
    minimalTlsVersion: 'Tls12'
    publicNetworkAccess: 'Enabled'
    enableAutomaticFailover: false
    enableMultipleWriteLocations: false
  }
}

resource database 'Microsoft.DocumentDB/databaseAccounts/sqlDatabases@2025-04-15' = {
  parent: account
  name: containerSet.databaseName
  properties: {
    resource: {
      id: containerSet.databaseName
    }
    // Serverless accounts take no throughput settings at all.
    options: isServerless ? {} : { autoscaleSettings: { maxThroughput: autoscaleMaxThroughput } }
  }
}

resource containers 'Microsoft.DocumentDB/databaseAccounts/sqlDatabases/containers@2025-04-15' = [
  for c in containerSet.containers: {
    parent: database
    name: c.name
    properties: {
      // A null defaultTtl (TTL off) is left out of the request rather than sent as null.
      resource: withoutNulls({
        id: c.name
        partitionKey: {
          paths: [c.partitionKeyPath]
          kind: 'Hash'
          version: 2
        }
        defaultTtl: c.?defaultTtl
        indexingPolicy: c.indexingPolicy
      })
      options: {}
    }
  }
]

resource dataContributor 'Microsoft.DocumentDB/databaseAccounts/sqlRoleAssignments@2025-04-15' = {
  parent: account
  name: guid(account.id, appIdentityId, dataContributorRoleDefinitionId)
  properties: {
    roleDefinitionId: '${account.id}/sqlRoleDefinitions/${dataContributorRoleDefinitionId}'
    principalId: appPrincipalId
    scope: account.id
  }
}

output accountName string = account.name
output endpoint string = account.properties.documentEndpoint
output databaseName string = database.name
output containerNames string[] = [for (c, i) in containerSet.containers: containers[i].name]
