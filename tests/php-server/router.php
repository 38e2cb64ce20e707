<?php
// The upload endpoint a PHP developer writes from the manual: $_FILES, move_uploaded_file, $_POST
// echoed back as JSON, the stored file served at /files/<id>. Run by the tests with PHP's built-in
// server: php -S 127.0.0.1:<port> router.php (php.ini defaults, or limits raised with -d).
declare(strict_types=1);

$store = getenv('UC_STORE') ?: sys_get_temp_dir() . '/uc-php-' . getmypid();
if (!is_dir($store)) mkdir($store, 0700, true);
$path = parse_url($_SERVER['REQUEST_URI'], PHP_URL_PATH);

function answer(int $status, array $body): bool
{
    http_response_code($status);
    header('Content-Type: application/json; charset=utf-8');
    echo json_encode($body, JSON_UNESCAPED_UNICODE | JSON_UNESCAPED_SLASHES);
    return true;
}

if ($path === '/health') return answer(200, ['status' => 'ok']);

if (str_starts_with($path, '/files/')) {
    $file = $store . '/' . basename($path);
    if (!is_file($file)) return answer(404, ['code' => 404, 'error' => 'no such file']);
    header('Content-Type: application/octet-stream');
    header('Content-Length: ' . filesize($file));
    readfile($file);
    return true;
}

if ($path !== '/upload' || $_SERVER['REQUEST_METHOD'] !== 'POST') {
    return answer(404, ['code' => 404, 'error' => 'not found']);
}

// A body over post_max_size arrives with $_POST and $_FILES empty; the manual says to compare lengths.
$max = ini_get('post_max_size');
$bytes = (int)$max * (['K' => 1 << 10, 'M' => 1 << 20, 'G' => 1 << 30][strtoupper(substr($max, -1))] ?? 1);
if (empty($_FILES) && (int)($_SERVER['CONTENT_LENGTH'] ?? 0) > $bytes) {
    return answer(413, ['code' => 413, 'error' => "request body over post_max_size ($max)"]);
}
if (!isset($_FILES['file'])) return answer(400, ['code' => 400, 'error' => 'no file under field "file"']);

$upload = $_FILES['file'];
if (is_array($upload['error'])) return answer(400, ['code' => 400, 'error' => 'one file under "file", not an array']);
// UC_PHP_UNCHECKED=1: the handler many tutorials show, which never looks at ['error'] nor at what
// move_uploaded_file returned, so a file over upload_max_filesize "succeeds" with nothing stored.
$checked = getenv('UC_PHP_UNCHECKED') !== '1';
switch ($checked ? $upload['error'] : UPLOAD_ERR_OK) {
    case UPLOAD_ERR_OK:
        break;
    case UPLOAD_ERR_INI_SIZE:
    case UPLOAD_ERR_FORM_SIZE:
        $limit = ini_get('upload_max_filesize');
        return answer(413, ['code' => 413, 'error' => "file over upload_max_filesize ($limit)"]);
    case UPLOAD_ERR_NO_FILE:
        return answer(400, ['code' => 400, 'error' => 'no file under field "file"']);
    default:
        return answer(400, ['code' => 400, 'error' => 'upload error ' . $upload['error']]);
}

$sha256 = is_file($upload['tmp_name']) ? hash_file('sha256', $upload['tmp_name']) : '';
$id = bin2hex(random_bytes(10));
if (!move_uploaded_file($upload['tmp_name'], "$store/$id") && $checked) {
    return answer(500, ['code' => 500, 'error' => 'could not store the file']);
}

return answer(200, ['code' => 0, 'data' => [
    'url' => "/files/$id",
    'filename' => $upload['name'],
    'contentType' => $upload['type'],
    'size' => $upload['size'],
    'sha256' => $sha256,
    'fields' => (object)$_POST,
]]);
