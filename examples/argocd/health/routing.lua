-- Argo CD health of a dialtone.io SipTrunk or DispatchRule
-- (resource.customizations.health.dialtone.io_SipTrunk and ...dialtone.io_DispatchRule).
-- Healthy: this generation is compiled (Ready) and live on every ready gateway pod (Propagated).
-- Degraded: Ready is False: invalid, a missing Secret, a conflict, no such gateway; the message says which.
-- Progressing: the operator has not seen this generation, or is compiling it, or pods are loading it.
local hs = {status = "Progressing", message = "Waiting for the Dialtone operator to report status"}

local function condition(conditions, type)
  if conditions == nil then return nil end
  for _, c in ipairs(conditions) do
    if c.type == type then return c end
  end
  return nil
end

local generation = obj.metadata.generation
local status = obj.status
if status == nil or status.observedGeneration == nil then
  return hs
end
if generation ~= nil and status.observedGeneration < generation then
  hs.message = "Waiting for the Dialtone operator to observe generation " .. generation
  return hs
end

local ready = condition(status.conditions, "Ready")
local propagated = condition(status.conditions, "Propagated")
if ready == nil then
  return hs
end
if ready.status == "False" then
  hs.status = "Degraded"
  hs.message = (ready.reason or "NotReady") .. ": " .. (ready.message or "")
  return hs
end
if ready.status == "True" and propagated ~= nil and propagated.status == "True" then
  hs.status = "Healthy"
  hs.message = ready.message
  return hs
end
if ready.status == "True" and propagated ~= nil then
  hs.message = propagated.message
else
  hs.message = ready.message
end
return hs
